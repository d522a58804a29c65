package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// ErrSealedSecret means a sealed TOTP secret does not open under any key the
// server has: it was made under a key since dropped, or it was tampered with.
var ErrSealedSecret = errors.New("account: the two-factor secret does not open with the server's keys")

// SecretBox seals TOTP secrets for the database. Unlike the rest of a user's
// data, the server must read them at sign-in, before the user's own key is
// unlocked, so they are encrypted with a server key: AES-256-GCM under
// HMAC-SHA256(cookie encryption key, "pcmt totp v1"), bound to the user id so
// that a sealed secret copied to another row does not open.
type SecretBox struct {
	aeads []cipher.AEAD // the current key first, then older ones
}

// totpKeyLabel separates the derived key from the cookie key it comes from.
const totpKeyLabel = "pcmt totp v1"

// NewSecretBox derives a sealing key from each cookie encryption key: the
// current one seals, every one opens (so that keys can rotate).
func NewSecretBox(current []byte, older ...[]byte) *SecretBox {
	b := &SecretBox{}
	for _, k := range append([][]byte{current}, older...) {
		if len(k) == 0 {
			continue
		}
		m := hmac.New(sha256.New, k)
		m.Write([]byte(totpKeyLabel))
		block, _ := aes.NewCipher(m.Sum(nil)) // a 32-byte key always makes a cipher
		aead, _ := cipher.NewGCM(block)       // AES always has GCM
		b.aeads = append(b.aeads, aead)
	}
	return b
}

func secretAD(userID int64) []byte {
	return binary.BigEndian.AppendUint64([]byte(totpKeyLabel), uint64(userID))
}

// Seal encrypts a user's TOTP secret: a random nonce, then the ciphertext.
func (b *SecretBox) Seal(userID int64, secret []byte) []byte {
	aead := b.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, secret, secretAD(userID))
}

// Open decrypts a sealed secret of a user. stale is set when an older key
// opened it: the caller should seal it again under the current key.
func (b *SecretBox) Open(userID int64, sealed []byte) (secret []byte, stale bool, err error) {
	for i, aead := range b.aeads {
		n := aead.NonceSize()
		if len(sealed) < n+aead.Overhead() {
			return nil, false, ErrSealedSecret
		}
		if secret, err := aead.Open(nil, sealed[:n], sealed[n:], secretAD(userID)); err == nil {
			return secret, i > 0, nil
		}
	}
	return nil, false, ErrSealedSecret
}
