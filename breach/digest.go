package breach

import (
	"bytes"
	"crypto/md5"  //nolint:gosec // matching the hashes breach files hold, not a security choice here
	"crypto/sha1" //nolint:gosec // SHA-1 is what the Pwned Passwords API speaks, not a security choice here
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is MD4, whatever its age

	"pcmt/store"
)

// Digests are how records are kept: never the plain text. Search computes
// the same digests from what a user types, so normalisation lives here once.

// EmailDigest is the SHA-256 of an e-mail address trimmed and lower-cased.
func EmailDigest(v []byte) [32]byte { return sha256.Sum256(normalise(v)) }

// UsernameDigest is the SHA-256 of a username trimmed and lower-cased.
func UsernameDigest(v []byte) [32]byte { return sha256.Sum256(normalise(v)) }

// PasswordDigest is the SHA-1 of a password exactly as given.
func PasswordDigest(v []byte) [20]byte { return sha1.Sum(v) } //nolint:gosec // see the import

// normalise trims and lower-cases, without allocating for ASCII input (the
// common case on the import's hot path).
func normalise(v []byte) []byte {
	v = bytes.TrimSpace(v)
	for _, c := range v {
		if c >= utf8.RuneSelf {
			return bytes.ToLower(v)
		}
		if 'A' <= c && c <= 'Z' {
			return asciiLower(v)
		}
	}
	return v
}

func asciiLower(v []byte) []byte {
	out := make([]byte, len(v))
	for i, c := range v {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// AccountDigest is how a searched account is looked up: an e-mail address
// (it has an @) by EmailDigest, anything else as a username.
func AccountDigest(account string) (store.RecordKind, []byte) {
	if strings.Contains(account, "@") {
		d := EmailDigest([]byte(account))
		return store.RecordEmail, d[:]
	}
	d := UsernameDigest([]byte(account))
	return store.RecordUsername, d[:]
}

// PasswordHashes are the digests a password can be stored as, one for each
// of store.PasswordKinds in that order: a search compares each with the
// records of its kind. NTLM is MD4 over the password's UTF-16LE form.
func PasswordHashes(password []byte) []store.Digest {
	s1 := sha1.Sum(password) //nolint:gosec // see the import
	m5 := md5.Sum(password)  //nolint:gosec // matching hashes breach files hold
	s256 := sha256.Sum256(password)
	s512 := sha512.Sum512(password)
	return []store.Digest{
		{Kind: store.RecordSHA1, Sum: s1[:]},
		{Kind: store.RecordMD5, Sum: m5[:]},
		{Kind: store.RecordSHA256, Sum: s256[:]},
		{Kind: store.RecordSHA512, Sum: s512[:]},
		{Kind: store.RecordNTLM, Sum: NTLMDigest(password)},
	}
}

// NTLMDigest is the NTLM hash of a password: MD4 of its UTF-16LE encoding
// (bytes that are not UTF-8 count as U+FFFD, as a browser would read them).
func NTLMDigest(password []byte) []byte {
	units := utf16.Encode([]rune(string(password)))
	buf := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(buf[2*i:], u)
	}
	h := md4.New()
	h.Write(buf)
	return h.Sum(nil)
}
