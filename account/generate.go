package account

import (
	"crypto/rand"
	"strings"
)

// generatedAlphabet leaves out characters that are easily confused when read
// off a screen (0 O o, 1 l I).
const generatedAlphabet = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// GeneratePassword returns 20 characters from crypto/rand in groups of five
// (about 116 bits): the password of an account set up by someone else, whose
// owner replaces it at first sign-in.
func GeneratePassword() string {
	var b strings.Builder
	// Rejection sampling: bytes past the largest multiple of the alphabet
	// size would favour its first letters.
	limit := byte(256 - 256%len(generatedAlphabet))
	buf := make([]byte, 1)
	for n := 0; n < 20; {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		if buf[0] >= limit {
			continue
		}
		if n > 0 && n%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(generatedAlphabet[int(buf[0])%len(generatedAlphabet)])
		n++
	}
	return b.String()
}

// GeneratePasswordFor returns a generated password that the policy accepts
// for the account (a random one is refused only when it happens to contain
// the username).
func (p *Policy) GeneratePasswordFor(username, email string) string {
	for {
		if pw := GeneratePassword(); p.Check(pw, username, email) == "" {
			return pw
		}
	}
}
