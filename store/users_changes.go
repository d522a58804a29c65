package store

import (
	"context"
	"database/sql"
)

// The Auditor methods here make an existing account's change, end what it
// ends (sessions, API tokens) and append its log entry in one transaction:
// a change never happens unlogged, and a refused entry leaves the account
// as it was. Each sets ev.UserID; ev.At is the time tokens are revoked at.

// logged runs change and appends ev in one transaction named op; detail,
// when not nil, gives ev's detail from what change returned (the number of
// sessions it ended), known only inside the transaction.
func (a *Auditor) logged(ctx context.Context, op string, id int64, ev *Activity, detail func(n int) string, change func(tx *sql.Tx) (int, error)) (int, error) {
	var n int
	err := a.s.tx(ctx, func(tx *sql.Tx) (err error) {
		if n, err = change(tx); err != nil {
			return err
		}
		ev.UserID = id
		if detail != nil {
			ev.Detail = detail(n)
		}
		return a.append(ctx, tx, ev)
	})
	return n, wrap(op, err)
}

// SetEmail changes user id's e-mail address and appends ev. An address in
// use is ErrEmailTaken.
func (a *Auditor) SetEmail(ctx context.Context, id int64, email string, ev *Activity) error {
	_, err := a.logged(ctx, "set e-mail", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return 0, setEmail(ctx, tx, id, email)
	})
	return err
}

// SetRole changes user id's role, ends their sessions and API tokens (a
// privilege change) and appends ev; it returns how many sessions ended.
// Demoting the last active admin is ErrLastAdmin.
func (a *Auditor) SetRole(ctx context.Context, id int64, role Role, ev *Activity) (int, error) {
	return a.logged(ctx, "set role", id, ev, nil, func(tx *sql.Tx) (int, error) {
		n, err := setRole(ctx, tx, id, role)
		if err != nil {
			return 0, err
		}
		_, err = revokeUserTokens(ctx, tx, id, ev.At)
		return n, err
	})
}

// Disable stops user id from signing in, ends their sessions and API
// tokens and appends ev, whose detail describe gives from the number of
// sessions ended; it returns that number. Disabling the last active admin
// is ErrLastAdmin.
func (a *Auditor) Disable(ctx context.Context, id int64, ev *Activity, describe func(revoked int) string) (int, error) {
	return a.logged(ctx, "disable user", id, ev, describe, func(tx *sql.Tx) (int, error) {
		n, err := setDisabled(ctx, tx, id, true)
		if err != nil {
			return 0, err
		}
		_, err = revokeUserTokens(ctx, tx, id, ev.At)
		return n, err
	})
}

// Enable lets user id sign in again and appends ev.
func (a *Auditor) Enable(ctx context.Context, id int64, ev *Activity) error {
	_, err := a.logged(ctx, "enable user", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return setDisabled(ctx, tx, id, false)
	})
	return err
}

// DeleteUser removes user id and, through the foreign keys, their sessions
// and tokens, and appends ev: the log keeps the account's history. The last
// active admin is ErrLastAdmin.
func (a *Auditor) DeleteUser(ctx context.Context, id int64, ev *Activity) error {
	_, err := a.logged(ctx, "delete user", id, ev, nil, func(tx *sql.Tx) (int, error) {
		return 0, deleteUser(ctx, tx, id)
	})
	return err
}

// OwnPasswordChange is what a user's change of their own password ends in
// the log: the change's entry and, when tokens were revoked, theirs.
type OwnPasswordChange struct {
	Change PasswordChange
	// Changed is the change's entry; describe gives its detail from the
	// number of other sessions ended.
	Changed  *Activity
	Describe func(revoked int) string
	// TokensRevoked is appended when tokens were revoked; DescribeTokens
	// gives its detail from their number.
	TokensRevoked  *Activity
	DescribeTokens func(tokens int64) string
}

// ChangeOwnPassword stores the password and key user id chose, ends their
// other sessions (all but c.Change.KeepSession) and every API token at
// c.Changed.At, and appends the entries of c (the tokens' first), in one
// transaction. It
// returns the number of sessions and of tokens ended.
func (a *Auditor) ChangeOwnPassword(ctx context.Context, id int64, c OwnPasswordChange) (revoked int, tokens int64, err error) {
	err = a.s.tx(ctx, func(tx *sql.Tx) (err error) {
		if tokens, err = revokeUserTokens(ctx, tx, id, c.Changed.At); err != nil {
			return err
		}
		if revoked, err = changePassword(ctx, tx, id, c.Change); err != nil {
			return err
		}
		if tokens > 0 {
			c.TokensRevoked.UserID, c.TokensRevoked.Detail = id, c.DescribeTokens(tokens)
			if err := a.append(ctx, tx, c.TokensRevoked); err != nil {
				return err
			}
		}
		c.Changed.UserID, c.Changed.Detail = id, c.Describe(revoked)
		return a.append(ctx, tx, c.Changed)
	})
	return revoked, tokens, wrap("change own password", err)
}
