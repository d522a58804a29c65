package account

import (
	"strings"
	"testing"
)

func TestPolicy(t *testing.T) {
	p := NewPolicy()
	p.Breached = func(pw string) bool { return pw == "leaked in 2019 breach" }
	for _, tc := range []struct {
		name, password string
		ok             bool
		says           string
	}{
		{"too short", "abc1234", false, "at least 8"},
		{"eight", "tv8#kq2!", true, ""},
		{"spaces allowed", "four words with spaces", true, ""},
		{"unicode allowed", "žluťoučký kůň úpěl", true, ""},
		{"emoji count as characters", "🔑🔑🔑🔑🔑🔑🔑🔑", true, ""},
		{"7 emoji are too few", "🔑🔑🔑🔑🔑🔑🔑", false, "at least 8"},
		{"long allowed", strings.Repeat("horse ", 40), true, ""},
		{"over 256 bytes", strings.Repeat("a", 257), false, "256 bytes"},
		{"common", "password1", false, "common"},
		{"common any case", "PassWord1", false, "common"},
		{"control character", "tab\there okay?", false, "control"},
		{"username inside", "alice-is-great", false, "username"},
		{"e-mail", "alice@example.org", false, "e-mail"},
		{"breached", "leaked in 2019 breach", false, "breach"},
		{"no composition rules", "alllowercaseletters", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Check(tc.password, "alice", "alice@example.org")
			if (got == "") != tc.ok || !strings.Contains(got, tc.says) {
				t.Fatalf("Check(%q) = %q", tc.password, got)
			}
		})
	}
}

func TestCommonListIsLoaded(t *testing.T) {
	p := NewPolicy()
	if len(p.common) < 10000 {
		t.Fatalf("only %d common passwords loaded", len(p.common))
	}
	for _, pw := range []string{"password", "12345678", "iloveyou", "baseball"} {
		if _, ok := p.common[pw]; !ok {
			t.Errorf("%q is not on the list", pw)
		}
	}
}

func TestNormalization(t *testing.T) {
	// "é" typed as one code point or as e + combining accent is one password.
	if NormalizePassword("caf\u00e9 au lait") != NormalizePassword("cafe\u0301 au lait") {
		t.Fatal("NFC forms differ")
	}
}
