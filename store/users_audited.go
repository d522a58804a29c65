package store

import (
	"context"
	"database/sql"
	"time"
)

// UsernameTaken reports whether an account has username (in any case).
// Sign-up asks before any costly work.
func (s *Store) UsernameTaken(ctx context.Context, username string) (bool, error) {
	var taken bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)`, username).Scan(&taken)
	return taken, wrap("is username taken", err)
}

// EmailOwner returns the id of the account with e-mail address email (in
// any case), 0 when there is none.
func (s *Store) EmailOwner(ctx context.Context, email string) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, wrap("e-mail owner", err)
}

// CreateUser inserts u, with its key when it has one (AgeRecipient,
// WrappedIdentity), and appends ev to the activity log for it, in one
// transaction: an account never exists without its log entry. It sets u.ID,
// u.CreatedAt (when zero, else keeps the caller's clock) and ev.UserID;
// ev.ActorID is whoever made the account (0: the command line). A
// collision is ErrUsernameTaken or ErrEmailTaken.
func (a *Auditor) CreateUser(ctx context.Context, u *User, ev *Activity) error {
	return a.createUser(ctx, u, ev, false)
}

// SignUp is CreateUser for an account that made itself: ev.ActorID is the
// new account.
func (a *Auditor) SignUp(ctx context.Context, u *User, ev *Activity) error {
	return a.createUser(ctx, u, ev, true)
}

func (a *Auditor) createUser(ctx context.Context, u *User, ev *Activity, self bool) error {
	return a.s.tx(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		ev.UserID = u.ID
		if self {
			ev.ActorID = u.ID
		}
		return wrap("create user", a.append(ctx, tx, ev))
	})
}

// insertUser inserts u and sets its ID and, when zero, its CreatedAt.
func insertUser(ctx context.Context, tx *sql.Tx, u *User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	u.CreatedAt = u.CreatedAt.UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO users
		(username, email, password_hash, role, must_change_password, disabled, created_at,
		 age_recipient, wrapped_identity)
		VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, ''), ?)`,
		u.Username, u.Email, u.PasswordHash, u.Role, u.MustChangePassword, u.Disabled,
		formatTime(u.CreatedAt), u.AgeRecipient, u.WrappedIdentity)
	if err != nil {
		return uniqueError(err)
	}
	u.ID, err = res.LastInsertId()
	return wrap("create user", err)
}

// ResetPassword stores a password someone else set for user id (c carries
// no key: the user's own one is discarded), ends every session and API
// token of the user at now, and appends ev, in one transaction: a reset
// never happens unlogged. describe gives ev's detail from the number of
// sessions ended, which is known only inside the transaction; it returns
// that number.
func (a *Auditor) ResetPassword(ctx context.Context, id int64, c PasswordChange, now time.Time, ev *Activity, describe func(revoked int) string) (int, error) {
	var revoked int
	err := a.s.tx(ctx, func(tx *sql.Tx) (err error) {
		if revoked, err = changePassword(ctx, tx, id, c); err != nil {
			return err
		}
		if _, err := revokeUserTokens(ctx, tx, id, now); err != nil {
			return err
		}
		ev.UserID, ev.Detail = id, describe(revoked)
		return a.append(ctx, tx, ev)
	})
	return revoked, wrap("reset password", err)
}
