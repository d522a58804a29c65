package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func newTOTPUser(t *testing.T, s *store.Store, name string) *store.User {
	t.Helper()
	u := &store.User{Username: name, Email: name + "@example.com", PasswordHash: "x", Role: store.RoleUser}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func digests(words ...string) [][]byte {
	out := make([][]byte, len(words))
	for i, w := range words {
		sum := sha256.Sum256([]byte(w))
		out[i] = sum[:]
	}
	return out
}

func TestTOTPLifecycle(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	u := newTOTPUser(t, s, "alice")
	now := time.Now()

	if _, err := s.TOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no row yet: %v", err)
	}
	if err := audit(s).EnableTOTP(ctx, u.ID, 5, nil, entry(store.EventTOTPEnabled, now)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("enable without enrolment: %v", err)
	}

	// Enrolment can restart while pending.
	if err := s.SetPendingTOTP(ctx, u.ID, []byte("sealed-1"), now); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPendingTOTP(ctx, u.ID, []byte("sealed-2"), now); err != nil {
		t.Fatal(err)
	}
	row, err := s.TOTP(ctx, u.ID)
	if err != nil || row.Enabled() || !bytes.Equal(row.Sealed, []byte("sealed-2")) {
		t.Fatalf("pending row %+v, %v", row, err)
	}
	if ok, err := s.UseTOTPStep(ctx, u.ID, 9); err != nil || ok {
		t.Fatalf("a pending enrolment took a step: %v %v", ok, err)
	}

	if err := audit(s).EnableTOTP(ctx, u.ID, 100, digests("a", "b", "c"), entry(store.EventTOTPEnabled, now)); err != nil {
		t.Fatal(err)
	}
	if row, err = s.TOTP(ctx, u.ID); err != nil || !row.Enabled() || row.LastStep != 100 {
		t.Fatalf("enabled row %+v, %v", row, err)
	}
	if err := s.SetPendingTOTP(ctx, u.ID, []byte("sealed-3"), now); !errors.Is(err, store.ErrTOTPEnabled) {
		t.Fatalf("re-enrolment while on: %v", err)
	}
	if row, _ = s.TOTP(ctx, u.ID); !bytes.Equal(row.Sealed, []byte("sealed-2")) {
		t.Fatal("a refused enrolment replaced the secret")
	}

	// Steps only move forward: each is good once.
	for _, tc := range []struct {
		step int64
		ok   bool
	}{{100, false}, {99, false}, {101, true}, {101, false}, {103, true}, {102, false}} {
		if ok, err := s.UseTOTPStep(ctx, u.ID, tc.step); err != nil || ok != tc.ok {
			t.Fatalf("step %d: %v %v, want %v", tc.step, ok, err, tc.ok)
		}
	}

	if err := s.ResealTOTP(ctx, u.ID, []byte("sealed-new")); err != nil {
		t.Fatal(err)
	}
	if row, _ = s.TOTP(ctx, u.ID); !bytes.Equal(row.Sealed, []byte("sealed-new")) || row.LastStep != 103 {
		t.Fatalf("resealed row %+v", row)
	}

	was, err := audit(s).DisableTOTP(ctx, u.ID, entry(store.EventTOTPDisabled))
	if err != nil || !was {
		t.Fatalf("disable: %v %v", was, err)
	}
	if _, err := s.TOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after disable: %v", err)
	}
	if n, err := s.RecoveryCodesLeft(ctx, u.ID); err != nil || n != 0 {
		t.Fatalf("codes after disable: %d %v", n, err)
	}
	if was, err := audit(s).DisableTOTP(ctx, u.ID, entry(store.EventTOTPDisabled)); err != nil || was {
		t.Fatalf("disable twice: %v %v", was, err)
	}
}

func TestRecoveryCodesAreSingleUse(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice, bob := newTOTPUser(t, s, "alice"), newTOTPUser(t, s, "bob")
	now := time.Now()
	if err := s.SetPendingTOTP(ctx, alice.ID, []byte("sealed"), now); err != nil {
		t.Fatal(err)
	}
	if err := audit(s).EnableTOTP(ctx, alice.ID, 1, digests("a", "b"), entry(store.EventTOTPEnabled, now)); err != nil {
		t.Fatal(err)
	}
	a := digests("a")[0]
	if ok, _, err := audit(s).UseRecoveryCode(ctx, bob.ID, a, entry(store.EventRecoveryUsed, now), noDetail); err != nil || ok {
		t.Fatalf("bob used alice's code: %v %v", ok, err)
	}
	if ok, _, err := audit(s).UseRecoveryCode(ctx, alice.ID, a, entry(store.EventRecoveryUsed, now), noDetail); err != nil || !ok {
		t.Fatalf("first use: %v %v", ok, err)
	}
	if ok, _, err := audit(s).UseRecoveryCode(ctx, alice.ID, a, entry(store.EventRecoveryUsed, now), noDetail); err != nil || ok {
		t.Fatalf("second use: %v %v", ok, err)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, alice.ID); n != 1 {
		t.Fatalf("%d codes left, want 1", n)
	}

	if err := audit(s).ReplaceRecoveryCodes(ctx, alice.ID, digests("c", "d", "e"), entry(store.EventRecoveryCodesReplaced)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, alice.ID); n != 3 {
		t.Fatalf("%d codes left after replacing, want 3", n)
	}
	if ok, _, _ := audit(s).UseRecoveryCode(ctx, alice.ID, digests("b")[0], entry(store.EventRecoveryUsed, now), noDetail); ok {
		t.Fatal("a replaced code still works")
	}

	// Deleting the user deletes the codes and the secret.
	if err := audit(s).DeleteUser(ctx, alice.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TOTP(ctx, alice.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("secret outlived its user: %v", err)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, alice.ID); n != 0 {
		t.Fatalf("%d codes outlived their user", n)
	}
}
