package search

import "testing"

func TestDigitsFor(t *testing.T) {
	for n, want := range map[int64]int{0: 0, 1: 0, 1024: 0, 1025: 1, 16 * 1024: 1, 16*1024 + 1: 2, 1e9: 5, 1e15: 5} {
		if got := digitsFor(n); got != want {
			t.Errorf("digitsFor(%d) = %d, want %d", n, got, want)
		}
	}
}
