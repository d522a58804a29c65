package account

import (
	"regexp"
	"testing"
)

func TestGeneratePassword(t *testing.T) {
	shape := regexp.MustCompile(`^[` + generatedAlphabet + `]{5}(-[` + generatedAlphabet + `]{5}){3}$`)
	p := NewPolicy()
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 500 {
		pw := p.GeneratePasswordFor("alice", "alice@example.org")
		if !shape.MatchString(pw) || seen[pw] {
			t.Fatalf("generated %q (repeat: %v)", pw, seen[pw])
		}
		if msg := p.Check(pw, "alice", "alice@example.org"); msg != "" {
			t.Fatalf("policy refuses a generated password: %s", msg)
		}
		seen[pw] = true
		for _, r := range pw {
			counts[r]++
		}
	}
	if len(counts) < len(generatedAlphabet) {
		t.Fatalf("only %d of %d characters ever used", len(counts)-1, len(generatedAlphabet))
	}
}
