package account

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestVaultRoundTrip(t *testing.T) {
	ctx := context.Background()
	v := NewVault(10)
	recipient, wrapped, id, err := v.NewKey(ctx, "first password")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wrapped, []byte(id.String())) {
		t.Fatal("the wrapped key contains the identity in clear")
	}
	if _, err := v.Unwrap(ctx, 7, wrapped, "wrong password"); err == nil {
		t.Fatal("unwrapped with a wrong password")
	}
	got, err := v.Unwrap(ctx, 7, wrapped, "first password")
	if err != nil || got.String() != id.String() {
		t.Fatalf("unwrap: %v", err)
	}

	ct, err := Encrypt(recipient, []byte("alice@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("alice")) {
		t.Fatal("ciphertext holds the plaintext")
	}
	sess := []byte("session-hash-1")
	if _, err := v.Decrypt(sess, ct); !errors.Is(err, ErrLocked) {
		t.Fatalf("decrypt without a bound key: %v", err)
	}
	v.Bind(sess, 7, got)
	plain, err := v.Decrypt(sess, ct)
	if err != nil || string(plain) != "alice@example.org" {
		t.Fatalf("decrypt: %q %v", plain, err)
	}

	// Re-wrapping with a new password keeps the same identity.
	rewrapped, err := v.Wrap(ctx, got, "second password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unwrap(ctx, 7, rewrapped, "first password"); err == nil {
		t.Fatal("the old password still opens the re-wrapped key")
	}
	again, err := v.Unwrap(ctx, 7, rewrapped, "second password")
	if err != nil || again.String() != id.String() {
		t.Fatalf("re-wrapped key: %v", err)
	}

	other := []byte("session-hash-2")
	v.Bind(other, 7, got)
	v.Bind([]byte("someone else"), 8, got)
	v.DropUser(7, sess)
	if !v.Unlocked(sess) || v.Unlocked(other) || !v.Unlocked([]byte("someone else")) {
		t.Fatal("DropUser dropped the wrong keys")
	}
	v.Drop(sess)
	if v.Unlocked(sess) {
		t.Fatal("Drop kept the key")
	}
}

func TestProductionWorkFactor(t *testing.T) {
	if MinVaultWorkFactor < 17 {
		t.Fatalf("work factor %d is below the required 17", MinVaultWorkFactor)
	}
}

func TestSessionIDs(t *testing.T) {
	id, hash := NewSessionID()
	if len(id) != 32 || len(hash) != 32 || bytes.Equal(id, hash) {
		t.Fatalf("id %d bytes, hash %d bytes", len(id), len(hash))
	}
	id2, _ := NewSessionID()
	if bytes.Equal(id, id2) {
		t.Fatal("two session ids are equal")
	}
	if !bytes.Equal(HashSessionID(id), hash) {
		t.Fatal("hash is not stable")
	}
}
