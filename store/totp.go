package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"pcmt/apperr"
)

// EventRecoveryCodesReplaced is logged when a user makes new recovery codes.
const EventRecoveryCodesReplaced = "recovery_codes_replaced"

// TOTP is a user's two-factor secret, sealed by the server key: the store
// never sees it in plain text.
type TOTP struct {
	UserID    int64
	Sealed    []byte
	CreatedAt time.Time
	EnabledAt time.Time // zero while the enrolment waits for its first code
	// LastStep is the last time step whose code was accepted.
	LastStep int64
}

// Enabled reports whether sign-in asks for a code.
func (t *TOTP) Enabled() bool { return !t.EnabledAt.IsZero() }

// ErrTOTPEnabled refuses a new enrolment while two-factor sign-in is on.
var ErrTOTPEnabled = apperr.New(apperr.Conflict, "Two-factor sign-in is already on. Turn it off first to set up another app.")

// TOTP returns the user's two-factor row, enabled or pending;
// ErrNotFound when there is none.
func (s *Store) TOTP(ctx context.Context, userID int64) (*TOTP, error) {
	t := TOTP{UserID: userID}
	var created string
	var enabled sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT secret, created_at, enabled_at, last_step FROM totp WHERE user_id = ?`,
		userID).Scan(&t.Sealed, &created, &enabled, &t.LastStep)
	if err != nil {
		return nil, wrap("get totp", err)
	}
	t.CreatedAt, t.EnabledAt = parseTime(created), parseNullTime(enabled)
	return &t, nil
}

// SetPendingTOTP starts (or restarts) an enrolment with a sealed secret. It
// is refused with ErrTOTPEnabled while two-factor sign-in is on.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, sealed []byte, at time.Time) error {
	return wrap("set pending totp", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO totp (user_id, secret, created_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (user_id) DO UPDATE SET secret = ?2, created_at = ?3, last_step = 0
			WHERE enabled_at IS NULL`, userID, sealed, formatTime(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrTOTPEnabled
		}
		return nil
	}))
}

func enableTOTP(ctx context.Context, tx *sql.Tx, userID, step int64, digests [][]byte, at time.Time) error {
	err := updateOne(ctx, tx, `UPDATE totp SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at IS NULL`,
		formatTime(at), step, userID)
	if err != nil {
		return err
	}
	return replaceRecoveryCodes(ctx, tx, userID, digests)
}

func disableTOTP(ctx context.Context, tx *sql.Tx, userID int64) (bool, error) {
	var enabled sql.NullString
	err := tx.QueryRowContext(ctx, `DELETE FROM totp WHERE user_id = ? RETURNING enabled_at`, userID).Scan(&enabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
	return enabled.Valid, err
}

// UseTOTPStep records that the code of step was accepted. It reports false
// when that step (or a later one) was used already: the code is a replay.
// Two requests racing with one code can't both win.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE totp SET last_step = ?1
			WHERE user_id = ?2 AND enabled_at IS NOT NULL AND last_step < ?1`, step, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, wrap("use totp step", err)
}

// ResealTOTP stores the user's secret sealed under a new server key.
func (s *Store) ResealTOTP(ctx context.Context, userID int64, sealed []byte) error {
	return wrap("reseal totp", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE totp SET secret = ? WHERE user_id = ?`, sealed, userID)
	}))
}

func replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, digests [][]byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, d := range digests {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, digest) VALUES (?, ?)`, userID, d); err != nil {
			return err
		}
	}
	return nil
}

func useRecoveryCode(ctx context.Context, tx *sql.Tx, userID int64, digest []byte, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ?
		WHERE user_id = ? AND digest = ? AND used_at IS NULL`, formatTime(at), userID, digest)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	n, err := recoveryCodesLeft(ctx, s.r, userID)
	return n, wrap("count recovery codes", err)
}

func recoveryCodesLeft(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`,
		userID).Scan(&n)
	return n, err
}
