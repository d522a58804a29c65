package accounts

import (
	"context"
	"errors"
	"time"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
)

// EnrolmentTTL is how long a QR code shown at set-up waits for the first
// code from the app: past it the set-up starts again, with a new secret.
const EnrolmentTTL = 30 * time.Minute

// The refusals of a first code whose enrolment is not there to take it:
// the set-up page says so and starts again.
var (
	// ErrNoEnrolment is a code for an enrolment never started, or dropped.
	ErrNoEnrolment = apperr.New(apperr.NotFound, "Start the set-up again: no QR code is waiting for a code.")
	// ErrTwoFactorOn is a code for an enrolment already turned on.
	ErrTwoFactorOn = apperr.New(apperr.Conflict, "Two-factor sign-in is already on.")
	// ErrEnrolmentExpired is a code after EnrolmentTTL.
	ErrEnrolmentExpired = apperr.New(apperr.NotFound, "That QR code has expired. Start the set-up again.")
)

// ErrTwoFactorOff refuses new recovery codes to a user without two-factor
// sign-in: the codes come with it.
var ErrTwoFactorOff = apperr.New(apperr.Conflict, "Recovery codes come with two-factor sign-in: turn it on first.")

// The messages of a first code from the app that is refused.
const (
	badAppCode   = "Enter the 6-digit code your app shows."
	wrongAppCode = "This code is not right. Check that your phone’s clock is correct, and enter the newest code."
)

// errNoBox is a two-factor rule asked of a Service built without
// Deps.TOTPBox (the command line's, which has no two-factor door).
var errNoBox = errors.New("accounts: two-factor sign-in needs Deps.TOTPBox")

// StartTwoFactorSetup starts (or starts again) by's enrolment at the
// Service's clock: a new secret, sealed and stored pending until a code
// from the app proves the app has it. It returns the secret, for the QR
// code. While two-factor sign-in is on it is store.ErrTOTPEnabled, and
// the secret in use stays.
func (s *Service) StartTwoFactorSetup(ctx context.Context, by Self) ([]byte, error) {
	if s.box == nil {
		return nil, errNoBox
	}
	secret := account.NewTOTPSecret()
	if err := s.store.SetPendingTOTP(ctx, by.UserID, s.box.Seal(by.UserID, secret), s.now()); err != nil {
		return nil, err
	}
	return secret, nil
}

// PendingTwoFactor is the secret of by's enrolment waiting for its first
// code, for the set-up page shown again after a refused code; the
// enrolment's refusals are EnableTwoFactor's.
func (s *Service) PendingTwoFactor(ctx context.Context, by Self) ([]byte, error) {
	secret, _, err := s.enrolment(ctx, by)
	return secret, err
}

// enrolment opens by's pending enrolment: none is ErrNoEnrolment, one
// turned on ErrTwoFactorOn, one older than EnrolmentTTL ErrEnrolmentExpired.
func (s *Service) enrolment(ctx context.Context, by Self) ([]byte, *store.TOTP, error) {
	if s.box == nil {
		return nil, nil, errNoBox
	}
	row, err := s.store.TOTP(ctx, by.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, ErrNoEnrolment
	case err != nil:
		return nil, nil, err
	case row.Enabled():
		return nil, nil, ErrTwoFactorOn
	case s.now().Sub(row.CreatedAt) > EnrolmentTTL:
		return nil, nil, ErrEnrolmentExpired
	}
	secret, _, err := s.box.Open(by.UserID, row.Sealed)
	if err != nil {
		return nil, nil, err
	}
	return secret, row, nil
}

// EnableTwoFactor turns by's pending enrolment on, at the Service's clock,
// once typed is the app's code of now: its time step is spent, the
// recovery codes are made, and the change is logged, in one transaction.
// It returns the codes, to be shown once. A code that is not six digits,
// or not right, is Refused (FieldCode) and changes nothing; so do the
// enrolment's refusals (ErrNoEnrolment, ErrTwoFactorOn,
// ErrEnrolmentExpired).
func (s *Service) EnableTwoFactor(ctx context.Context, by Self, typed string) ([]string, error) {
	secret, row, err := s.enrolment(ctx, by)
	if err != nil {
		return nil, err
	}
	code, ok := account.ParseTOTPCode(typed)
	if !ok {
		return nil, Refused{FieldCode: badAppCode}
	}
	step, ok := account.VerifyTOTP(secret, code, s.now(), row.LastStep)
	if !ok {
		return nil, Refused{FieldCode: wrongAppCode}
	}
	codes := account.NewRecoveryCodes()
	if err := s.audit.EnableTOTP(ctx, by.UserID, step, recoveryDigests(codes), by.entry(s, store.EventTOTPEnabled, "")); err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifyTwoFactor checks code (as account.ParseTOTPCode gave it) at a
// sign-in's second step against by's secret, at the Service's clock, and
// spends its time step, so that a code works once, however many browsers
// race with it. It reports false for a wrong or spent code, or when
// two-factor sign-in is not on. A secret sealed with an older key is
// sealed anew under the current one; that failing is logged, not a
// refusal.
func (s *Service) VerifyTwoFactor(ctx context.Context, by Self, code string) (bool, error) {
	if s.box == nil {
		return false, errNoBox
	}
	row, err := s.store.TOTP(ctx, by.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !row.Enabled() {
		return false, nil
	}
	secret, stale, err := s.box.Open(by.UserID, row.Sealed)
	if err != nil {
		return false, err
	}
	step, ok := account.VerifyTOTP(secret, code, s.now(), row.LastStep)
	if !ok {
		return false, nil
	}
	if ok, err = s.store.UseTOTPStep(ctx, by.UserID, step); err != nil || !ok {
		return false, err
	}
	if stale {
		if err := s.store.ResealTOTP(ctx, by.UserID, s.box.Seal(by.UserID, secret)); err != nil {
			s.log.Error("reseal totp secret", "err", err, "user_id", by.UserID)
		}
	}
	return true, nil
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

// TwoFactorState is whether an account signs in with a second factor.
type TwoFactorState struct {
	On        bool
	Since     time.Time // when it was turned on
	CodesLeft int       // unused recovery codes
}

// TwoFactor is userID's two-factor state, recovery codes counted: off
// while a set-up waits for its first code, as when none was started.
func (s *Service) TwoFactor(ctx context.Context, userID int64) (TwoFactorState, error) {
	row, err := s.twoFactorRow(ctx, userID)
	if row == nil || err != nil {
		return TwoFactorState{}, err
	}
	left, err := s.store.RecoveryCodesLeft(ctx, userID)
	return TwoFactorState{On: true, Since: row.EnabledAt, CodesLeft: left}, err
}

// TwoFactorOn says whether userID signs in with a second factor, without
// counting recovery codes: what a sign-in needs to know.
func (s *Service) TwoFactorOn(ctx context.Context, userID int64) (bool, error) {
	row, err := s.twoFactorRow(ctx, userID)
	return row != nil, err
}

// twoFactorRow is userID's TOTP row when two-factor sign-in is on, nil
// when it is off.
func (s *Service) twoFactorRow(ctx context.Context, userID int64) (*store.TOTP, error) {
	row, err := s.store.TOTP(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !row.Enabled()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return row, nil
}

func recoveryDigests(codes []string) [][]byte {
	out := make([][]byte, len(codes))
	for i, code := range codes {
		out[i] = account.RecoveryDigest(code)
	}
	return out
}
