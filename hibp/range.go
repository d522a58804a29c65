package hibp

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The hash modes of the range API.
const (
	ModeSHA1 = "sha1"
	ModeNTLM = "ntlm"
)

// RangeEntry is one line of a range answer: the rest of a hash after the
// 5-hex prefix (uppercase) and how often the password was seen.
type RangeEntry struct {
	Suffix string
	Count  uint64
}

// Range lists the hashes starting with prefix (5 hex digits) that Pwned
// Passwords holds, in mode ModeSHA1 (or "") or ModeNTLM. It asks for
// padding, so that an observer cannot tell the prefix from the answer's size,
// and drops the padding lines. Only the prefix leaves the machine; nothing is
// cached, and no key is needed.
func (c *Client) Range(ctx context.Context, prefix, mode string) ([]RangeEntry, error) {
	const endpoint = "range"
	if !IsHex(prefix) || len(prefix) != 5 {
		return nil, fmt.Errorf("hibp: %s: %w", endpoint, ErrBadPrefix)
	}
	u, mode, err := rangeURL(c.passwordsURL, strings.ToUpper(prefix), mode)
	if err != nil {
		return nil, fmt.Errorf("hibp: %s: %w", endpoint, err)
	}
	status, body, err := c.get(ctx, request{endpoint: endpoint, url: u, padding: true})
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, &StatusError{Endpoint: endpoint, Status: status}
	}
	return parseRange(body, mode)
}

// PasswordCount says how often Pwned Passwords has seen the password whose
// SHA-1 is sum; 0 when never.
func (c *Client) PasswordCount(ctx context.Context, sum [20]byte) (uint64, error) {
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	entries, err := c.Range(ctx, h[:5], ModeSHA1)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if e.Suffix == h[5:] {
			return e.Count, nil
		}
	}
	return 0, nil
}

// parseRange reads "SUFFIX:COUNT" lines (CRLF or LF), uppercasing the
// suffixes and dropping the count-0 padding lines. A line that is not of
// that form fails the whole answer: it was not the range API that answered.
func parseRange(body []byte, mode string) ([]RangeEntry, error) {
	suffixLen := 35 // SHA-1: 40 hex digits
	if mode == ModeNTLM {
		suffixLen = 27 // NTLM: 32
	}
	var out []RangeEntry
	for n, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		suffix, count, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(suffix) != suffixLen || !IsHex(string(suffix)) {
			return nil, fmt.Errorf("hibp: range: line %d: not SUFFIX:COUNT", n+1)
		}
		c, err := strconv.ParseUint(string(count), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("hibp: range: line %d: bad count", n+1)
		}
		if c == 0 {
			continue
		}
		out = append(out, RangeEntry{Suffix: strings.ToUpper(string(suffix)), Count: c})
	}
	return out, nil
}

// rangeURL is the address of range prefix (five upper-case hex digits) of
// mode ("" is SHA-1) under the Pwned Passwords API at base, and the mode
// named; an unknown mode is ErrBadMode.
func rangeURL(base, prefix, mode string) (string, string, error) {
	u := base + "/range/" + prefix
	switch mode {
	case "", ModeSHA1:
		return u, ModeSHA1, nil
	case ModeNTLM:
		return u + "?mode=ntlm", ModeNTLM, nil
	}
	return "", "", ErrBadMode
}
