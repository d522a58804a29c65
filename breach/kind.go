// Package breach reads breach data files — YAML breach documents, plain
// lists and Pwned Passwords dumps — as streams, and imports them.
package breach

import (
	"fmt"
	"strings"

	"pcmt/apperr"
)

// Kind is what a breach record is.
type Kind uint8

// The kinds of record a breach can hold. Zero is left unused so that an
// unset Kind is never mistaken for one of them.
const (
	Emails Kind = iota + 1
	Usernames
	Passwords
	Hashes
)

// kindNames is indexed by Kind; they are also the YAML list keys.
var kindNames = [...]string{Emails: "emails", Usernames: "usernames", Passwords: "passwords", Hashes: "hashes"}

// String is the kind's name as the YAML format and the command line spell it.
func (k Kind) String() string {
	if k >= Emails && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind is the inverse of String.
func ParseKind(s string) (Kind, error) {
	for k := Emails; int(k) < len(kindNames); k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("kind %q is not one of %s: %w", s, strings.Join(kindNames[Emails:], ", "), apperr.ErrInvalid)
}

// kindOf is the Kind a YAML list key names, 0 for any other key.
func kindOf(key []byte) Kind {
	for k := Emails; int(k) < len(kindNames); k++ {
		if kindNames[k] == string(key) {
			return k
		}
	}
	return 0
}
