package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
)

// wrongAt is a 6-digit code that is none of secret's codes around t.
func wrongAt(secret []byte, t time.Time) string {
	for d := 0; ; d++ {
		c := fmt.Sprintf("%06d", d*111111%1000000)
		clash := false
		for s := account.TOTPStep(t) - 2; s <= account.TOTPStep(t)+2; s++ {
			clash = clash || account.TOTPCode(secret, s) == c
		}
		if !clash {
			return c
		}
	}
}

// unchanged fails t unless by's two-factor row, recovery codes and log
// are still those of before.
func (f *fixture) unchanged(t *testing.T, by accounts.Self, before *store.TOTP, codes, entries int) {
	t.Helper()
	row := f.totp(t, by)
	if !bytes.Equal(row.Sealed, before.Sealed) || !row.CreatedAt.Equal(before.CreatedAt) ||
		!row.EnabledAt.Equal(before.EnabledAt) || row.LastStep != before.LastStep {
		t.Fatalf("the row changed: %+v, was %+v", row, before)
	}
	if f.codesLeft(t, by) != codes || f.entries(t, by) != entries {
		t.Fatalf("%d codes and %d entries, were %d and %d", f.codesLeft(t, by), f.entries(t, by), codes, entries)
	}
}

// TestStartTwoFactorSetup: a set-up stores a new secret, sealed, pending
// from the Service's clock, and logs nothing; another replaces it; while
// two-factor sign-in is on it is refused and the secret in use stays.
func TestStartTwoFactorSetup(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	entries := f.entries(t, by)
	secret := f.pending(t, by)
	row := f.totp(t, by)
	if len(secret) != account.TOTPSecretSize || row.Enabled() || !row.CreatedAt.Equal(clock) || row.LastStep != 0 {
		t.Fatalf("pending row %+v, secret of %d bytes", row, len(secret))
	}
	if bytes.Contains(row.Sealed, secret) {
		t.Fatal("the secret is stored in plain")
	}
	if opened, stale, err := account.NewSecretBox(totpKey).Open(by.UserID, row.Sealed); err != nil || stale || !bytes.Equal(opened, secret) {
		t.Fatalf("the box does not open the stored secret: %v", err)
	}
	if f.entries(t, by) != entries {
		t.Fatal("a set-up was logged")
	}
	if got, err := f.s.PendingTwoFactor(ctx, by); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("pending secret: %v", err)
	}

	f.now = clock.Add(time.Minute)
	again := f.pending(t, by)
	if bytes.Equal(again, secret) || !f.totp(t, by).CreatedAt.Equal(f.now) {
		t.Fatal("a new set-up kept the old secret or its time")
	}
	if _, err := f.s.EnableTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); !errors.As(err, new(accounts.Refused)) {
		t.Fatalf("the replaced secret's code: %v", err)
	}

	_, codes := f.enable(t, by)
	before := f.totp(t, by)
	entries = f.entries(t, by)
	if _, err := f.s.StartTwoFactorSetup(ctx, by); !errors.Is(err, store.ErrTOTPEnabled) {
		t.Fatalf("set-up while on: %v", err)
	}
	f.unchanged(t, by, before, len(codes), entries)

	none := accounts.New(accounts.Deps{Store: f.st, AuditKey: []byte("an audit key of the tests")})
	if _, err := none.StartTwoFactorSetup(ctx, by); err == nil {
		t.Fatal("a Service without a box started a set-up")
	}
}

// TestEnableTwoFactorRefusals: no enrolment, one turned on already, one
// past EnrolmentTTL by the Service's clock, a code that is not six digits
// and a wrong code are each refused, and each leaves everything as it was.
func TestEnableTwoFactorRefusals(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	if _, err := f.s.EnableTwoFactor(ctx, by, "123456"); !errors.Is(err, accounts.ErrNoEnrolment) {
		t.Fatalf("no enrolment: %v", err)
	}
	if _, err := f.s.PendingTwoFactor(ctx, by); !errors.Is(err, accounts.ErrNoEnrolment) {
		t.Fatalf("no enrolment's secret: %v", err)
	}
	if _, err := f.st.TOTP(ctx, by.UserID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused code made a row: %v", err)
	}

	secret := f.pending(t, by)
	before, entries := f.totp(t, by), f.entries(t, by)
	for typed, want := range map[string]string{
		"12345":                     "Enter the 6-digit code your app shows.",
		"not a code":                "Enter the 6-digit code your app shows.",
		wrongAt(secret, f.now):      "This code is not right. Check that your phone’s clock is correct, and enter the newest code.",
		account.TOTPCode(secret, 7): "This code is not right. Check that your phone’s clock is correct, and enter the newest code.",
	} {
		_, err := f.s.EnableTwoFactor(ctx, by, typed)
		var refused accounts.Refused
		if !errors.As(err, &refused) || refused[accounts.FieldCode] != want {
			t.Fatalf("code %q: %v", typed, err)
		}
		f.unchanged(t, by, before, 0, entries)
	}

	// Past EnrolmentTTL even the code of now is refused; at it, it is not.
	f.now = clock.Add(accounts.EnrolmentTTL + time.Second)
	if _, err := f.s.EnableTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); !errors.Is(err, accounts.ErrEnrolmentExpired) {
		t.Fatalf("expired enrolment: %v", err)
	}
	if _, err := f.s.PendingTwoFactor(ctx, by); !errors.Is(err, accounts.ErrEnrolmentExpired) {
		t.Fatalf("expired enrolment's secret: %v", err)
	}
	f.unchanged(t, by, before, 0, entries)
	f.now = clock.Add(accounts.EnrolmentTTL)
	if _, err := f.s.EnableTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); err != nil {
		t.Fatalf("at the end of the enrolment's time: %v", err)
	}

	before, entries = f.totp(t, by), f.entries(t, by)
	if _, err := f.s.EnableTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now)+1)); !errors.Is(err, accounts.ErrTwoFactorOn) {
		t.Fatalf("enabled twice: %v", err)
	}
	f.unchanged(t, by, before, account.RecoveryCodeCount, entries)
}

// TestVerifyTwoFactor: a sign-in's code is right once per time step by
// the Service's clock: the enrolment's step is spent, a used step is
// refused however it is replayed, a later one is taken; refusals change
// nothing; without two-factor sign-in on no code is right.
func TestVerifyTwoFactor(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	secret := f.pending(t, by)
	if right, err := f.s.VerifyTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); err != nil || right {
		t.Fatalf("a pending enrolment's code signed in: %v %v", right, err)
	}
	secret, codes := f.enable(t, by)
	enrolled := account.TOTPStep(f.now)

	refused := func(code string) {
		t.Helper()
		before, entries := f.totp(t, by), f.entries(t, by)
		if right, err := f.s.VerifyTwoFactor(ctx, by, code); err != nil || right {
			t.Fatalf("code %s at step %d: %v %v", code, account.TOTPStep(f.now), right, err)
		}
		f.unchanged(t, by, before, len(codes), entries)
	}
	refused(account.TOTPCode(secret, enrolled))
	refused(wrongAt(secret, f.now))

	f.now = clock.Add(account.TOTPPeriod)
	next := account.TOTPCode(secret, account.TOTPStep(f.now))
	if right, err := f.s.VerifyTwoFactor(ctx, by, next); err != nil || !right {
		t.Fatalf("the next step's code: %v %v", right, err)
	}
	if row := f.totp(t, by); row.LastStep != account.TOTPStep(f.now) {
		t.Fatalf("last step %d, want %d", row.LastStep, account.TOTPStep(f.now))
	}
	// Replayed within its window, and the step before it, are refused.
	refused(next)
	f.now = f.now.Add(account.TOTPPeriod)
	refused(next)
	refused(account.TOTPCode(secret, enrolled))

	if _, err := f.s.DisableTwoFactor(ctx, by); err != nil {
		t.Fatal(err)
	}
	if right, err := f.s.VerifyTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); err != nil || right {
		t.Fatalf("a code after two-factor sign-in was turned off: %v %v", right, err)
	}
}

// TestVerifyTwoFactorReseals: after the key rotates (the old one kept to
// open), a right code seals the secret anew under the new key alone; a
// refused code leaves the old sealing.
func TestVerifyTwoFactorReseals(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	secret, codes := f.enable(t, by)
	newKey := bytes.Repeat([]byte{0x3e}, 32)
	rotated := accounts.New(accounts.Deps{Store: f.st, AuditKey: []byte("an audit key of the tests"),
		Now: func() time.Time { return f.now }, TOTPBox: account.NewSecretBox(newKey, totpKey)})

	f.now = clock.Add(account.TOTPPeriod)
	before, entries := f.totp(t, by), f.entries(t, by)
	if right, err := rotated.VerifyTwoFactor(ctx, by, wrongAt(secret, f.now)); err != nil || right {
		t.Fatalf("wrong code: %v %v", right, err)
	}
	f.unchanged(t, by, before, len(codes), entries)

	if right, err := rotated.VerifyTwoFactor(ctx, by, account.TOTPCode(secret, account.TOTPStep(f.now))); err != nil || !right {
		t.Fatalf("right code after the rotation: %v %v", right, err)
	}
	after := f.totp(t, by)
	if bytes.Equal(after.Sealed, before.Sealed) {
		t.Fatal("not sealed anew")
	}
	opened, stale, err := account.NewSecretBox(newKey).Open(by.UserID, after.Sealed)
	if err != nil || stale || !bytes.Equal(opened, secret) {
		t.Fatalf("the new key alone does not open the secret: %v", err)
	}
	if _, _, err := account.NewSecretBox(totpKey).Open(by.UserID, after.Sealed); err == nil {
		t.Fatal("the old key still opens the resealed secret")
	}
}

// TestTwoFactorState: off with no set-up and while one waits for its first
// code; on from the enabling code's time, with the recovery codes left.
func TestTwoFactorState(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	state := func() accounts.TwoFactorState {
		t.Helper()
		s, err := f.s.TwoFactor(ctx, by.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := state(); s.On {
		t.Fatalf("no set-up: %+v", s)
	}
	f.pending(t, by)
	if s := state(); s.On {
		t.Fatalf("a set-up waiting for its code: %+v", s)
	}
	_, codes := f.enable(t, by)
	if s := state(); !s.On || !s.Since.Equal(f.now) || s.CodesLeft != len(codes) {
		t.Fatalf("on: %+v, want since %v with %d codes", s, f.now, len(codes))
	}
	code, _ := account.ParseRecoveryCode(codes[0])
	if used, _, err := f.s.UseRecoveryCode(ctx, by, code); !used || err != nil {
		t.Fatalf("recovery code: %v %v", used, err)
	}
	if s := state(); s.CodesLeft != len(codes)-1 {
		t.Fatalf("after one code: %+v", s)
	}
}

// TestTwoFactorOn agrees with TwoFactor: off with no set-up and while one
// waits, on once enabled.
func TestTwoFactorOn(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	on := func() bool {
		t.Helper()
		on, err := f.s.TwoFactorOn(ctx, by.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if on() {
		t.Fatal("on with no set-up")
	}
	f.pending(t, by)
	if on() {
		t.Fatal("on while a set-up waits for its code")
	}
	f.enable(t, by)
	if !on() {
		t.Fatal("off once enabled")
	}
}
