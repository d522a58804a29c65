package account

import (
	"strings"
	"testing"
)

func TestValidUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"bob", true},
		{"Alice_the-2nd.x", true},
		{"ab", false},
		{"abcdefghijklmnopqrstuvwxyz0123456", false}, // 33
		{"abcdefghijklmnopqrstuvwxyz012345", true},   // 32
		{"bob smith", false},
		{"bob@example.org", false},
		{"bøb", false},
		{"", false},
	} {
		if got := ValidUsername(tc.name); got != tc.ok {
			t.Errorf("ValidUsername(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, tc := range []struct {
		email string
		ok    bool
	}{
		{"name@example.org", true},
		{"a.b+tag@sub.example.org", true},
		{"name@example", false},
		{"admin@localhost", false},
		{"Name <name@example.org>", false},
		{"name@", false},
		{"@example.org", false},
		{"", false},
	} {
		if got := ValidEmail(tc.email); got != tc.ok {
			t.Errorf("ValidEmail(%q) = %v, want %v", tc.email, got, tc.ok)
		}
	}
	long := "a@" + strings.Repeat("b", 250) + ".org"
	if ValidEmail(long) {
		t.Errorf("ValidEmail accepted %d bytes", len(long))
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  Name@Example.ORG\n"); got != "name@example.org" {
		t.Fatalf("NormalizeEmail = %q", got)
	}
}
