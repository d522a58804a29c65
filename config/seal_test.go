package config

import (
	"bytes"
	"testing"
)

func TestSealedSettings(t *testing.T) {
	k := Keys{Audit: bytes.Repeat([]byte{1}, 32)}
	sealed, err := k.Seal("hibp.api_key", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("0123456789abcdef")) {
		t.Fatal("the sealed value holds the plain text")
	}
	if got, err := k.Open("hibp.api_key", sealed); err != nil || string(got) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := k.Open("other.setting", sealed); err == nil {
		t.Fatal("a sealed value opened under another name")
	}
	other := Keys{Audit: bytes.Repeat([]byte{2}, 32)}
	if _, err := other.Open("hibp.api_key", sealed); err == nil {
		t.Fatal("a sealed value opened with another secrets file")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open("hibp.api_key", sealed); err == nil {
		t.Fatal("a tampered value opened")
	}
}
