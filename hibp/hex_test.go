package hibp

import (
	"strings"
	"testing"
)

// FuzzIsHex: a prefix or suffix takes hex digits of either case and
// nothing else.
func FuzzIsHex(f *testing.F) {
	for _, s := range []string{"", "21BD1", "21bd1", "ABCDG", "2 BD1", "２1BD1", "0x1", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsHex(s), strings.Trim(s, "0123456789abcdefABCDEF") == ""; got != want {
			t.Fatalf("IsHex(%q) = %v, want %v", s, got, want)
		}
	})
}
