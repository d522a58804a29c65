package search

import (
	"strings"
	"testing"
)

func TestDigitsFor(t *testing.T) {
	for n, want := range map[int64]int{0: 0, 1: 0, 1024: 0, 1025: 1, 16 * 1024: 1, 16*1024 + 1: 2, 1e9: 5, 1e15: 5} {
		if got := digitsFor(n); got != want {
			t.Errorf("digitsFor(%d) = %d, want %d", n, got, want)
		}
	}
}

// FuzzIsHex: a prefix takes hex digits of either case and nothing else.
func FuzzIsHex(f *testing.F) {
	for _, s := range []string{"", "21BD1", "21bd1", "ABCDG", "2 BD1", "２1BD1", "0x1", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isHex(s), strings.Trim(s, "0123456789abcdefABCDEF") == ""; got != want {
			t.Fatalf("isHex(%q) = %v, want %v", s, got, want)
		}
	})
}
