package breach

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"pcmt/apperr"
	"pcmt/hibp"
)

// Format is an import file format.
type Format string

// The formats an import can read.
const (
	FormatYAML  Format = "yaml"
	FormatLines Format = "lines"
	FormatPwned Format = "pwned"
)

// ParseFormat checks a format name given by a user.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatYAML, FormatLines, FormatPwned:
		return f, nil
	}
	return "", fmt.Errorf("format %q is not one of yaml, lines, pwned: %w", s, apperr.ErrInvalid)
}

// How many leading non-blank lines Sniff checks for the Pwned shape and
// GuessKind samples: enough to outvote a stray line, few enough to stay
// instant.
const (
	sniffPwnedLines = 8
	guessLines      = 1000
)

// Sniff guesses a file's format from its first bytes (up to 64 KiB). YAML
// starts with "---" or a top-level key of the schema once a byte order
// mark, comments and blank lines are passed; a Pwned Passwords dump starts
// with HEX:COUNT lines; anything else is a plain list.
func Sniff(head []byte) Format {
	head = bytes.TrimPrefix(head, bom)
	lines := sniffSplit(head, sniffPwnedLines)
	if len(lines) > 0 && isPwnedLine(lines[0]) {
		for _, l := range lines[1:] {
			if !isPwnedLine(l) {
				return FormatLines
			}
		}
		return FormatPwned
	}
	for len(head) > 0 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte{'\n'})
		t := trimBlank(line)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		if isYAMLStart(line) {
			return FormatYAML
		}
		break
	}
	return FormatLines
}

// sniffSplit is up to n non-blank lines of head, trimmed, leaving out a
// last line cut short by the end of the sample.
func sniffSplit(head []byte, n int) [][]byte {
	var out [][]byte
	for len(head) > 0 && len(out) < n {
		line, rest, found := bytes.Cut(head, []byte{'\n'})
		head = rest
		if !found && len(out) > 0 {
			break
		}
		if t := trimBlank(line); len(t) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// isYAMLStart is whether a line can only begin a breach YAML document.
func isYAMLStart(line []byte) bool {
	if bytes.HasPrefix(line, []byte("---")) && (len(line) == 3 || isBlank(line[3])) {
		return true
	}
	key, _, ok := topKey(line)
	if !ok {
		return false
	}
	return kindOf(key) != 0 || metaKeyOf(key) >= 0 || string(key) == "data"
}

// isPwnedLine is whether a trimmed line is 40 or 32 hex digits, ':' and a
// decimal count.
func isPwnedLine(l []byte) bool {
	colon := bytes.IndexByte(l, ':')
	if colon != 2*SHA1Size && colon != 2*NTLMSize || colon == len(l)-1 {
		return false
	}
	for _, c := range l[:colon] {
		if hibp.Unhex[c] > 0x0f {
			return false
		}
	}
	for _, c := range l[colon+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// GuessKind guesses what a line list holds from its first bytes: the kind
// and the share (0..1) of sampled non-empty lines consistent with it.
// E-mails look like local@domain.tld; usernames have no spaces and only
// letters, digits and . _ -; anything else suggests passwords. With no
// lines to look at it is Passwords with a share of 0.
func GuessKind(head []byte) (Kind, float64) {
	head = bytes.TrimPrefix(head, bom)
	var n, emails, users int
	for _, l := range sniffSplit(head, guessLines) {
		n++
		switch {
		case looksLikeEmail(l):
			emails++
		case looksLikeUsername(l):
			users++
		}
	}
	if n == 0 {
		return Passwords, 0
	}
	others := n - emails - users
	switch {
	case emails >= users && emails >= others:
		return Emails, float64(emails) / float64(n)
	case users >= others:
		return Usernames, float64(users) / float64(n)
	}
	return Passwords, float64(others) / float64(n)
}

// looksLikeEmail is local@domain.tld with no spaces, a dot in the domain
// and a top-level domain of at least two letters.
func looksLikeEmail(l []byte) bool {
	at := bytes.LastIndexByte(l, '@')
	if at <= 0 || at == len(l)-1 || bytes.ContainsAny(l, " \t") {
		return false
	}
	domain := l[at+1:]
	dot := bytes.LastIndexByte(domain, '.')
	if dot <= 0 || len(domain)-dot-1 < 2 || bytes.Contains(domain, []byte("..")) {
		return false
	}
	for _, r := range string(domain[dot+1:]) {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// looksLikeUsername is only letters, digits and . _ -.
func looksLikeUsername(l []byte) bool {
	for len(l) > 0 {
		r, size := utf8.DecodeRune(l)
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') {
			return false
		}
		l = l[size:]
	}
	return true
}
