package config

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Settings an admin enters in the web UI that are secret (the HIBP API key)
// are kept in the database sealed with a key derived from the secrets file,
// so a copy of the database alone does not give them away.

// settingsKey is the AES-256 key of sealed settings: an HMAC of a fixed
// label under the audit secret, so it is independent of the audit chain's
// own use of that secret.
func (k Keys) settingsKey() []byte {
	mac := hmac.New(sha256.New, k.Audit)
	mac.Write([]byte("pcmt sealed settings"))
	return mac.Sum(nil)
}

// Seal encrypts a setting (AES-256-GCM, random nonce, the setting's name as
// associated data so a sealed value can't be moved to another setting).
func (k Keys) Seal(name string, plain []byte) ([]byte, error) {
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, []byte(name)), nil
}

// Open decrypts what Seal made for the same name.
func (k Keys) Open(name string, sealed []byte) ([]byte, error) {
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("config: sealed setting too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(name))
	if err != nil {
		return nil, errors.New("config: sealed setting " + name + " does not open with this secrets file")
	}
	return plain, nil
}

func (k Keys) aead() (cipher.AEAD, error) {
	if len(k.Audit) == 0 {
		return nil, errors.New("config: no audit secret to derive the settings key from")
	}
	block, err := aes.NewCipher(k.settingsKey())
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
