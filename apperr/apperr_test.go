package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestIsAndStatus(t *testing.T) {
	taken := New(Conflict, "This username is taken.")
	other := New(Conflict, "This e-mail is taken.")
	wrapped := fmt.Errorf("store: create user: %w", taken)
	if !errors.Is(wrapped, ErrConflict) || !errors.Is(wrapped, taken) {
		t.Fatal("a conflict does not match its kind or itself")
	}
	if errors.Is(wrapped, other) || errors.Is(wrapped, ErrNotFound) {
		t.Fatal("a conflict matches another error")
	}
	if Status(wrapped) != http.StatusConflict || Message(wrapped) != "This username is taken." {
		t.Fatalf("status %d, message %q", Status(wrapped), Message(wrapped))
	}
	plain := errors.New("disk on fire")
	if Status(plain) != 500 || Message(plain) != InternalMessage {
		t.Fatalf("internal: %d %q", Status(plain), Message(plain))
	}
	for code, status := range statuses {
		if Status(New(code, "x")) != status {
			t.Errorf("code %d → %d", code, Status(New(code, "x")))
		}
	}
}
