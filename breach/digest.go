package breach

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // SHA-1 is what the Pwned Passwords API speaks, not a security choice here
	"crypto/sha256"
	"strings"
	"unicode/utf8"

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
