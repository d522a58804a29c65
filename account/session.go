package account

import (
	"crypto/rand"
	"crypto/sha256"
)

// SessionIDLen is the size of a session id: 256 random bits.
const SessionIDLen = 32

// NewSessionID returns a fresh random session id and the SHA-256 digest the
// database keeps instead of it.
func NewSessionID() (id, hash []byte) {
	id = make([]byte, SessionIDLen)
	_, _ = rand.Read(id) // crypto/rand.Read never fails on supported platforms
	return id, HashSessionID(id)
}

// HashSessionID is the digest under which a session id is stored.
func HashSessionID(id []byte) []byte {
	sum := sha256.Sum256(id)
	return sum[:]
}
