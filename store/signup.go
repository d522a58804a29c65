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

// SignUp creates u, with its password hash and its key (AgeRecipient,
// WrappedIdentity), and appends ev to the activity log for it, in one
// transaction: an account never exists without its key or its log entry.
// It sets u.ID, u.CreatedAt, and ev.UserID and ev.ActorID (the account
// made itself); a collision is ErrUsernameTaken or ErrEmailTaken.
func (a *Auditor) SignUp(ctx context.Context, u *User, ev *Activity) error {
	u.CreatedAt = time.Now().UTC()
	return a.s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users
			(username, email, password_hash, role, must_change_password, disabled, created_at,
			 age_recipient, wrapped_identity)
			VALUES (?, ?, ?, ?, ?, ?, ?, nullif(?, ''), ?)`,
			u.Username, u.Email, u.PasswordHash, u.Role, u.MustChangePassword, u.Disabled,
			formatTime(u.CreatedAt), u.AgeRecipient, u.WrappedIdentity)
		if err != nil {
			return uniqueError(err)
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return wrap("sign up", err)
		}
		ev.UserID, ev.ActorID = u.ID, u.ID
		return wrap("sign up", a.append(ctx, tx, ev))
	})
}
