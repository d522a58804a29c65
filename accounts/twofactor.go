package accounts

import (
	"context"
	"errors"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
)

// ErrTwoFactorOff refuses new recovery codes to a user without two-factor
// sign-in: the codes come with it.
var ErrTwoFactorOff = apperr.New(apperr.Conflict, "Recovery codes come with two-factor sign-in: turn it on first.")

// EnableTwoFactor turns by's pending enrolment on, now, once the caller has
// checked the first code from the app (of time step step, which is spent);
// it makes the recovery codes, logs the change in the same transaction and
// returns the codes, to be shown once. No enrolment pending is
// store.ErrNotFound.
func (s *Service) EnableTwoFactor(ctx context.Context, by Self, step int64) ([]string, error) {
	codes := account.NewRecoveryCodes()
	if err := s.audit.EnableTOTP(ctx, by.UserID, step, recoveryDigests(codes), by.entry(s, store.EventTOTPEnabled, "")); err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTwoFactor turns by's two-factor sign-in off (or drops a pending
// enrolment) with its recovery codes, and logs it when it was on; it
// reports whether it was.
func (s *Service) DisableTwoFactor(ctx context.Context, by Self) (bool, error) {
	return s.audit.DisableTOTP(ctx, by.UserID, by.entry(s, store.EventTOTPDisabled, ""))
}

// ReplaceRecoveryCodes gives by new recovery codes in place of the old and
// logs it, in one transaction; it returns the codes, to be shown once.
// Without two-factor sign-in on it is ErrTwoFactorOff.
func (s *Service) ReplaceRecoveryCodes(ctx context.Context, by Self) ([]string, error) {
	codes := account.NewRecoveryCodes()
	err := s.audit.ReplaceRecoveryCodes(ctx, by.UserID, recoveryDigests(codes), by.entry(s, store.EventRecoveryCodesReplaced, ""))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrTwoFactorOff
	}
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// UseRecoveryCode spends by's recovery code code (as account.ParseRecoveryCode
// gave it) at a sign-in's second step and logs it with the number of codes
// left, in one transaction. It reports false, logging nothing, when by has
// no such unused code; else it returns the number left.
func (s *Service) UseRecoveryCode(ctx context.Context, by Self, code string) (used bool, left int, err error) {
	return s.audit.UseRecoveryCode(ctx, by.UserID, account.RecoveryDigest(code), by.entry(s, store.EventRecoveryUsed, ""),
		func(left int) string { return plural(left, "code left", "codes left") })
}

func recoveryDigests(codes []string) [][]byte {
	out := make([][]byte, len(codes))
	for i, code := range codes {
		out[i] = account.RecoveryDigest(code)
	}
	return out
}
