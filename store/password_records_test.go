package store

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzPrefixBounds: a digest is within the bounds of a prefix exactly when
// its hex starts with the prefix; anything but 0 to 5 hex digits is refused.
func FuzzPrefixBounds(f *testing.F) {
	for _, s := range []string{"", "0", "A", "ab", "FFF", "fffff", "12345", "123456", "xyz", "0F0F0"} {
		f.Add(s, []byte{0xAB, 0xCD, 0xEF, 0x01})
	}
	f.Fuzz(func(t *testing.T, prefix string, digest []byte) {
		lo, hi, err := prefixBounds(prefix)
		valid := len(prefix) <= 5
		for i := range len(prefix) {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(prefix[i])) {
				valid = false
			}
		}
		if !valid {
			if err == nil {
				t.Fatalf("prefix %q accepted", prefix)
			}
			return
		}
		if err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		if len(digest) < 3 {
			return
		}
		in := bytes.Compare(digest, lo) >= 0 && (hi == nil || bytes.Compare(digest, hi) < 0)
		starts := strings.HasPrefix(strings.ToUpper(hex.EncodeToString(digest)), strings.ToUpper(prefix))
		if in != starts {
			t.Fatalf("prefix %q, digest %x: within [%x, %x) %v, starts with it %v", prefix, digest, lo, hi, in, starts)
		}
	})
}
