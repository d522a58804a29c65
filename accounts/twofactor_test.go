package accounts_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/store/storetest"
)

// pending starts a two-factor enrolment of by's, as the set-up page does,
// and returns its secret.
func (f *fixture) pending(t *testing.T, by accounts.Self) []byte {
	t.Helper()
	secret, err := f.s.StartTwoFactorSetup(context.Background(), by)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (f *fixture) totp(t *testing.T, by accounts.Self) *store.TOTP {
	t.Helper()
	row, err := f.st.TOTP(context.Background(), by.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return &store.TOTP{}
	}
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func (f *fixture) codesLeft(t *testing.T, by accounts.Self) int {
	t.Helper()
	n, err := f.st.RecoveryCodesLeft(context.Background(), by.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// enable turns by's two-factor sign-in on with the code of the Service's
// clock, and returns the secret and the recovery codes.
func (f *fixture) enable(t *testing.T, by accounts.Self) ([]byte, []string) {
	t.Helper()
	secret := f.pending(t, by)
	codes, err := f.s.EnableTwoFactor(context.Background(), by, account.TOTPCode(secret, account.TOTPStep(f.now)))
	if err != nil {
		t.Fatal(err)
	}
	return secret, codes
}

// enabled is a member with two-factor sign-in on, and their recovery codes.
func enabled(t *testing.T) (*fixture, accounts.Self, []string) {
	t.Helper()
	f, by := member(t)
	_, codes := f.enable(t, by)
	return f, by, codes
}

// TestEnableTwoFactor: the right code turns the enrolment on at the
// Service's clock, spending its step, with its recovery codes and log
// entry; a refused log leaves it pending.
func TestEnableTwoFactor(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	secret := f.pending(t, by)
	right := account.TOTPCode(secret, account.TOTPStep(clock))
	storetest.RefuseActivity(t, f.st, store.EventTOTPEnabled)
	if _, err := f.s.EnableTwoFactor(ctx, by, right); err == nil {
		t.Fatal("turned on with the log refused")
	}
	if f.totp(t, by).Enabled() || f.codesLeft(t, by) != 0 {
		t.Fatal("two-factor sign-in turned on unlogged")
	}

	f, by = member(t)
	secret = f.pending(t, by)
	// Typed as people type it, spaced.
	right = account.TOTPCode(secret, account.TOTPStep(clock))
	codes, err := f.s.EnableTwoFactor(ctx, by, right[:3]+" "+right[3:])
	if err != nil {
		t.Fatal(err)
	}
	row := f.totp(t, by)
	if !row.Enabled() || !row.EnabledAt.Equal(clock) || row.LastStep != account.TOTPStep(clock) ||
		len(codes) != account.RecoveryCodeCount || f.codesLeft(t, by) != len(codes) {
		t.Fatalf("after enabling: %+v, %d codes, %d left", row, len(codes), f.codesLeft(t, by))
	}
	f.logged(t, by, store.EventTOTPEnabled, "")
}

// TestDisableTwoFactor: turning it off drops the codes and is logged, or
// nothing changes; dropping an enrolment never on logs nothing.
func TestDisableTwoFactor(t *testing.T) {
	f, by, _ := enabled(t)
	ctx := context.Background()
	storetest.RefuseActivity(t, f.st, store.EventTOTPDisabled)
	if _, err := f.s.DisableTwoFactor(ctx, by); err == nil {
		t.Fatal("turned off with the log refused")
	}
	if !f.totp(t, by).Enabled() || f.codesLeft(t, by) == 0 {
		t.Fatal("two-factor sign-in turned off unlogged")
	}

	f, by, _ = enabled(t)
	if was, err := f.s.DisableTwoFactor(ctx, by); err != nil || !was {
		t.Fatalf("disable: %v %v", was, err)
	}
	if f.totp(t, by).Enabled() || f.codesLeft(t, by) != 0 {
		t.Fatal("still on")
	}
	f.logged(t, by, store.EventTOTPDisabled, "")

	f.pending(t, by)
	before := f.entries(t, by)
	if was, err := f.s.DisableTwoFactor(ctx, by); err != nil || was || f.entries(t, by) != before {
		t.Fatalf("dropping an enrolment: %v %v, %d entries after %d", was, err, f.entries(t, by), before)
	}
}

// TestReplaceRecoveryCodes: new codes replace the old with their log
// entry, or the old ones stay; without two-factor sign-in there are none.
func TestReplaceRecoveryCodes(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	f.pending(t, by)
	if _, err := f.s.ReplaceRecoveryCodes(ctx, by); !errors.Is(err, accounts.ErrTwoFactorOff) {
		t.Fatalf("without two-factor sign-in: %v", err)
	}
	if f.codesLeft(t, by) != 0 || f.entries(t, by) != 1 {
		t.Fatal("codes made or logged without two-factor sign-in")
	}

	f, by, old := enabled(t)
	storetest.RefuseActivity(t, f.st, store.EventRecoveryCodesReplaced)
	if _, err := f.s.ReplaceRecoveryCodes(ctx, by); err == nil {
		t.Fatal("replaced with the log refused")
	}
	if used, _, err := f.s.UseRecoveryCode(ctx, by, old[0]); err != nil || !used {
		t.Fatalf("an old code after a refused replacement: %v %v", used, err)
	}

	f, by, old = enabled(t)
	codes, err := f.s.ReplaceRecoveryCodes(ctx, by)
	if err != nil || len(codes) != len(old) || f.codesLeft(t, by) != len(codes) {
		t.Fatalf("replace: %d codes, %d left: %v", len(codes), f.codesLeft(t, by), err)
	}
	f.logged(t, by, store.EventRecoveryCodesReplaced, "")
	if used, _, err := f.s.UseRecoveryCode(ctx, by, old[0]); err != nil || used {
		t.Fatalf("an old code after the replacement: %v %v", used, err)
	}
}

// TestUseRecoveryCode: a code is spent once, at the Service's clock, with
// the codes left in the log entry, or not at all.
func TestUseRecoveryCode(t *testing.T) {
	f, by, codes := enabled(t)
	ctx := context.Background()
	storetest.RefuseActivity(t, f.st, store.EventRecoveryUsed)
	if _, _, err := f.s.UseRecoveryCode(ctx, by, codes[0]); err == nil {
		t.Fatal("spent with the log refused")
	}
	if f.codesLeft(t, by) != len(codes) {
		t.Fatal("a code spent unlogged")
	}

	f, by, codes = enabled(t)
	used, left, err := f.s.UseRecoveryCode(ctx, by, codes[0])
	if err != nil || !used || left != len(codes)-1 || f.codesLeft(t, by) != left {
		t.Fatalf("use: %v %d %v", used, left, err)
	}
	f.logged(t, by, store.EventRecoveryUsed, strconv.Itoa(len(codes)-1)+" codes left")
	before := f.entries(t, by)
	if used, _, err := f.s.UseRecoveryCode(ctx, by, codes[0]); err != nil || used || f.entries(t, by) != before {
		t.Fatalf("the same code again: %v %v", used, err)
	}
}
