package account

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length bounds after NIST SP 800-63B: at least 8 characters, and a
// byte cap that bounds hashing work while allowing far more than 64.
const (
	MinPasswordChars       = 8
	RecommendedPasswordLen = 15
	MaxPasswordBytes       = 256
)

//go:embed common-passwords.txt
var commonPasswordsFile []byte

// Policy decides whether a new password is acceptable. It holds the common
// password list, read once.
type Policy struct {
	common map[string]struct{}
	// Breached, when set, reports whether the instance's breach data holds
	// the password.
	Breached func(password string) bool
}

// NewPolicy is a policy over the embedded common-password list, read once
// for the process: serve, the pages and every command share the one set.
func NewPolicy() *Policy {
	return &Policy{common: commonPasswords()}
}

// commonPasswords is the embedded list as a set, parsed at its first use;
// nobody writes to it.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 20000)
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// NormalizePassword puts a password in Unicode NFC, so that the same
// characters typed on different systems give the same hash.
func NormalizePassword(pw string) string { return norm.NFC.String(pw) }

// Check returns why password is refused, or "" when it is acceptable. The
// account's username and e-mail are refused as passwords too.
func (p *Policy) Check(password, username, email string) string {
	if !utf8.ValidString(password) {
		return "The password is not valid text."
	}
	password = NormalizePassword(password)
	for _, r := range password {
		if unicode.IsControl(r) {
			return "The password may not contain control characters such as tabs or line breaks."
		}
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordChars {
		return "Use at least 8 characters; 15 or more is better. A few unrelated words make a strong, memorable password."
	}
	if len(password) > MaxPasswordBytes {
		return "Use at most 256 bytes (about 64 characters or more, depending on the script)."
	}
	folded := strings.ToLower(password)
	if _, ok := p.common[folded]; ok {
		return "This password is among the most common ones and is guessed first. Choose another."
	}
	if username != "" && strings.Contains(folded, strings.ToLower(username)) && len(username) >= 4 ||
		email != "" && strings.EqualFold(password, email) {
		return "The password may not contain your username or be your e-mail address."
	}
	if p.Breached != nil && p.Breached(password) {
		return "This password appears in a known data breach. Choose another."
	}
	return ""
}
