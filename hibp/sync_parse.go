package hibp

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrMalformedRange matches every *MalformedRangeError.
var ErrMalformedRange = errors.New("malformed range answer")

// MalformedRangeError is a range answer that is not the range API's: it
// names the prefix and the first line that is wrong.
type MalformedRangeError struct {
	Prefix string // five upper-case hex digits
	Line   int
	Msg    string
}

func (e *MalformedRangeError) Error() string {
	return fmt.Sprintf("range %s: line %d: %s", e.Prefix, e.Line, e.Msg)
}

// Is makes errors.Is(err, ErrMalformedRange) match.
func (e *MalformedRangeError) Is(target error) bool { return target == ErrMalformedRange }

// ParseRangeAnswer reads a whole, unpadded range answer strictly, for a
// corpus sync: "SUFFIX:COUNT" lines (35 hex digits for SHA-1, 27 for NTLM,
// either case) joined by CRLF or LF, with or without a final line break,
// each suffix once and in ascending order, counts in decimal. Lines of
// count 0 are padding and are dropped. Anything else refuses the whole
// answer, so that a range is never stored in part: an empty line, a stray
// space, a missing or oversized count, a suffix out of order.
//
// It returns the hashes whole (prefix included) back to back, 20 bytes
// each for SHA-1 and 16 for NTLM, and their counts.
func ParseRangeAnswer(body []byte, prefix uint32, mode string) (digests []byte, counts []uint64, err error) {
	size, suffixLen := 20, 35
	switch mode {
	case "", ModeSHA1:
	case ModeNTLM:
		size, suffixLen = 16, 27
	default:
		return nil, nil, ErrBadMode
	}
	if prefix > 0xFFFFF {
		return nil, nil, ErrBadPrefix
	}
	var d [20]byte
	d[0], d[1], d[2] = byte(prefix>>12), byte(prefix>>4), byte(prefix<<4)
	// About 45 bytes a line: enough room from the start for most answers.
	n := len(body)/(suffixLen+4) + 1
	digests, counts = make([]byte, 0, n*size), make([]uint64, 0, n)
	var prev []byte
	fail := func(line int, format string, a ...any) error {
		return &MalformedRangeError{Prefix: fmt.Sprintf("%05X", prefix), Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	for line := 1; len(body) > 0; line++ {
		var l []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			l, body = body[:i], body[i+1:]
		} else {
			l, body = body, nil
		}
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if len(l) == 0 {
			return nil, nil, fail(line, "empty line")
		}
		if len(l) < suffixLen+2 || l[suffixLen] != ':' {
			return nil, nil, fail(line, "not SUFFIX:COUNT with a suffix of %d hex digits", suffixLen)
		}
		v := Unhex[l[0]]
		for i := 1; i < suffixLen && v <= 0x0f; i += 2 {
			hi, lo := Unhex[l[i]], Unhex[l[i+1]]
			d[3+i/2] = hi<<4 | lo
			v = max(hi, lo, v)
		}
		if v > 0x0f {
			return nil, nil, fail(line, "the suffix is not hexadecimal")
		}
		d[2] = d[2]&0xF0 | Unhex[l[0]]
		c, ok := parseCount(l[suffixLen+1:])
		if !ok {
			return nil, nil, fail(line, "the count is not a decimal number below 2^64")
		}
		if c == 0 {
			continue
		}
		if prev != nil && bytes.Compare(d[:size], prev) <= 0 {
			return nil, nil, fail(line, "suffix not after the one before: the answer must list each suffix once, in order")
		}
		digests = append(digests, d[:size]...)
		counts = append(counts, c)
		prev = digests[len(digests)-size:]
	}
	return digests, counts, nil
}

// parseCount reads 1 to 20 decimal digits that fit in a uint64.
func parseCount(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		v := uint64(c - '0')
		if v > 9 || n > (1<<64-1-v)/10 {
			return 0, false
		}
		n = n*10 + v
	}
	return n, true
}
