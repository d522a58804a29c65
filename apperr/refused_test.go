package apperr

import (
	"errors"
	"testing"
)

// TestRefused: an empty Refused is no error; a full one names its fields
// in order and is found by errors.As through a wrap.
func TestRefused(t *testing.T) {
	if err := (Refused{}).OrNil(); err != nil {
		t.Fatalf("an empty refusal is an error: %v", err)
	}
	err := Refused{"password": "Too short.", "email": "Not an address."}.OrNil()
	if got, want := err.Error(), "refused: email: Not an address.; password: Too short."; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	var r Refused
	if !errors.As(errors.Join(errors.New("context"), err), &r) || r["email"] != "Not an address." {
		t.Fatalf("errors.As: %v", r)
	}
}
