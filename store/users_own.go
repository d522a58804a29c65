package store

import (
	"context"
	"database/sql"
	"errors"
)

// The Auditor methods here make a user's change of their own account (a
// session started or ended, an API token, two-factor sign-in) and append
// its log entry in one transaction, as those of users_changes.go do: a
// refused entry leaves the account as it was. Each sets ev.UserID and
// takes the time of the change from ev.At.

// SignIn notes a completed sign-in of sess.UserID at ev.At, stores sess
// and appends ev: no session starts unlogged.
func (a *Auditor) SignIn(ctx context.Context, sess *Session, ev *Activity) error {
	_, err := a.logged(ctx, "sign in", sess.UserID, ev, nil, func(tx *sql.Tx) (int, error) {
		if err := recordSignIn(ctx, tx, sess.UserID, ev.At); err != nil {
			return 0, err
		}
		return 0, insertSession(ctx, tx, sess)
	})
	return err
}

// SignOut ends user id's session idHash and appends ev. A session already
// gone (revoked from another browser a moment before) is no error: the
// sign-out is logged all the same.
func (a *Auditor) SignOut(ctx context.Context, id int64, idHash []byte, ev *Activity) error {
	_, err := a.logged(ctx, "sign out", id, ev, nil, func(tx *sql.Tx) (int, error) {
		err := deleteSession(ctx, tx, id, idHash)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return 0, err
	})
	return err
}

// DeleteSession ends one of user id's sessions and appends ev; ErrNotFound
// when the user has no such session.
func (a *Auditor) DeleteSession(ctx context.Context, id int64, idHash []byte, ev *Activity) error {
	_, err := a.logged(ctx, "delete session", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return 0, deleteSession(ctx, tx, id, idHash)
	})
	return err
}

// DeleteSessions ends every session of user id but except and appends ev,
// whose detail describe gives from the number ended; it returns that
// number.
func (a *Auditor) DeleteSessions(ctx context.Context, id int64, except []byte, ev *Activity, describe func(n int) string) (int, error) {
	return a.logged(ctx, "delete sessions", id, ev, describe, func(tx *sql.Tx) (int, error) {
		return deleteSessions(ctx, tx, id, except)
	})
}

// CreateToken stores t and appends ev, whose detail describe gives from
// the token as stored (its scopes in their usual order). The refusals are
// CreateToken's: ErrTokenLimit, unknown scopes.
func (a *Auditor) CreateToken(ctx context.Context, t NewToken, ev *Activity, describe func(Token) string) (Token, error) {
	var tok Token
	err := a.s.tx(ctx, func(tx *sql.Tx) (err error) {
		if tok, err = createToken(ctx, tx, t); err != nil {
			return err
		}
		ev.UserID, ev.Detail = t.UserID, describe(tok)
		return a.append(ctx, tx, ev)
	})
	if err != nil {
		return Token{}, tokenError("create token", err)
	}
	return tok, nil
}

// RevokeToken revokes user id's token tokenID at ev.At and appends ev.
// ErrNotFound when the user has no such token.
func (a *Auditor) RevokeToken(ctx context.Context, id, tokenID int64, ev *Activity) error {
	_, err := a.logged(ctx, "revoke token", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return 0, revokeToken(ctx, tx, id, tokenID, ev.At)
	})
	return err
}

// EnableTOTP turns user id's pending enrolment on at ev.At, marks step
// used, replaces the recovery codes with digests and appends ev.
// ErrNotFound when no enrolment is pending.
func (a *Auditor) EnableTOTP(ctx context.Context, id, step int64, digests [][]byte, ev *Activity) error {
	_, err := a.logged(ctx, "enable totp", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return 0, enableTOTP(ctx, tx, id, step, digests, ev.At)
	})
	return err
}

// DisableTOTP turns user id's two-factor sign-in off (or drops a pending
// enrolment), deletes the recovery codes and, when it was on, appends ev.
// It reports whether it was on.
func (a *Auditor) DisableTOTP(ctx context.Context, id int64, ev *Activity) (bool, error) {
	var was bool
	err := a.s.tx(ctx, func(tx *sql.Tx) (err error) {
		if was, err = disableTOTP(ctx, tx, id); err != nil || !was {
			return err
		}
		ev.UserID = id
		return a.append(ctx, tx, ev)
	})
	return was, wrap("disable totp", err)
}

// ReplaceRecoveryCodes swaps user id's recovery codes for digests and
// appends ev. ErrNotFound when two-factor sign-in is not on: recovery
// codes come with it.
func (a *Auditor) ReplaceRecoveryCodes(ctx context.Context, id int64, digests [][]byte, ev *Activity) error {
	_, err := a.logged(ctx, "replace recovery codes", id, ev, nil, func(tx *sql.Tx) (int, error) {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM totp WHERE user_id = ? AND enabled_at IS NOT NULL`,
			id).Scan(&one); err != nil {
			return 0, err
		}
		return 0, replaceRecoveryCodes(ctx, tx, id, digests)
	})
	return err
}

// UseRecoveryCode spends user id's unused recovery code with digest at
// ev.At and appends ev, whose detail describe gives from the number of
// codes left. It reports false, and logs nothing, when there is no such
// unused code; else it returns the number left.
func (a *Auditor) UseRecoveryCode(ctx context.Context, id int64, digest []byte, ev *Activity, describe func(left int) string) (used bool, left int, err error) {
	err = a.s.tx(ctx, func(tx *sql.Tx) error {
		if used, err = useRecoveryCode(ctx, tx, id, digest, ev.At); err != nil || !used {
			return err
		}
		if left, err = recoveryCodesLeft(ctx, tx, id); err != nil {
			return err
		}
		ev.UserID, ev.Detail = id, describe(left)
		return a.append(ctx, tx, ev)
	})
	if err != nil {
		return false, 0, wrap("use recovery code", err)
	}
	return used, left, nil
}
