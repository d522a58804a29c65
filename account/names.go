package account

import (
	"net/mail"
	"strings"
)

// NormalizeEmail trims and lower-cases an address: e-mails are unique and
// compared without case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidUsername allows 3 to 32 ASCII letters, digits, dots, dashes and
// underscores: names that are unambiguous on any screen.
func ValidUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ValidEmail accepts a bare address of at most 254 bytes whose domain has a
// dot, so that a typo like name@example is caught.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}
