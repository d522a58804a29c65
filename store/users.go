package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"pcmt/apperr"
)

// Role is what a user may do.
type Role string

// The roles.
const (
	RoleUser  Role = "user"
	RoleAdmin Role = "admin"
)

// User is an account.
type User struct {
	ID                 int64
	Username           string
	Email              string
	PasswordHash       string
	Role               Role
	MustChangePassword bool
	Disabled           bool
	CreatedAt          time.Time
	LastSignInAt       time.Time // zero when never
	// AgeRecipient and WrappedIdentity are the user's own key; empty until
	// their first own password change.
	AgeRecipient    string
	WrappedIdentity []byte
}

// IsAdmin reports whether the user has the admin role.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// HasVault reports whether the user has an own key yet.
func (u *User) HasVault() bool { return u.AgeRecipient != "" }

// ErrLastAdmin refuses a change that would leave no active admin.
var ErrLastAdmin = apperr.New(apperr.Conflict, "This is the last active admin: make another admin first.")

// ErrUsernameTaken and ErrEmailTaken say which unique field collided.
var (
	ErrUsernameTaken = apperr.New(apperr.Conflict, "This username is taken.")
	ErrEmailTaken    = apperr.New(apperr.Conflict, "An account with this e-mail address exists.")
)

const userColumns = `id, username, email, password_hash, role, must_change_password, disabled,
	created_at, last_signin_at, coalesce(age_recipient, ''), wrapped_identity`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created string
	var last sql.NullString
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &u.MustChangePassword,
		&u.Disabled, &created, &last, &u.AgeRecipient, &u.WrappedIdentity)
	if err != nil {
		return nil, err
	}
	u.CreatedAt = parseTime(created)
	u.LastSignInAt = parseNullTime(last)
	return &u, nil
}

// uniqueError names the column of a UNIQUE violation on users.
func uniqueError(err error) error {
	wrapped := wrap("user", err)
	if !errors.Is(wrapped, ErrConflict) {
		return wrapped
	}
	if strings.Contains(err.Error(), "users.email") {
		return ErrEmailTaken
	}
	return ErrUsernameTaken
}

// CreateUser inserts u and sets its ID and, when zero, its CreatedAt. The
// accounts layer creates accounts with their log entry through
// Auditor.CreateUser; this one serves tests and tools.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return insertUser(ctx, tx, u) })
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, wrap("get user", err)
	}
	return u, nil
}

// UserByLogin returns the user whose username or e-mail is login, ignoring
// case.
func (s *Store) UserByLogin(ctx context.Context, login string) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE username = ?1 OR email = ?1 ORDER BY username = ?1 DESC LIMIT 1`, login))
	if err != nil {
		return nil, wrap("get user by login", err)
	}
	return u, nil
}

// CountUsers counts every account.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, wrap("count users", err)
}

// UserPage is one page of a user listing.
type UserPage struct {
	Users []User
	Total int
}

// ListUsers returns the users whose username or e-mail contains query,
// ordered by username, limit at a time from offset.
func (s *Store) ListUsers(ctx context.Context, query string, limit, offset int) (UserPage, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(query) + "%"
	var page UserPage
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users
		WHERE username LIKE ?1 ESCAPE '\' OR email LIKE ?1 ESCAPE '\'`, like).Scan(&page.Total)
	if err != nil {
		return page, wrap("count users", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE username LIKE ?1 ESCAPE '\' OR email LIKE ?1 ESCAPE '\'
		ORDER BY username LIMIT ?2 OFFSET ?3`, like, limit, offset)
	if err != nil {
		return page, wrap("list users", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return page, wrap("list users", err)
		}
		page.Users = append(page.Users, *u)
	}
	return page, wrap("list users", rows.Err())
}

// recordSignIn notes a completed sign-in (Auditor.SignIn).
func recordSignIn(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	return updateOne(ctx, tx, `UPDATE users SET last_signin_at = ? WHERE id = ?`, formatTime(at), id)
}

// SetPasswordHash replaces a password hash with one of the same password
// under current parameters (bcrypt or weaker argon2id hashes are upgraded at
// sign-in); sessions and keys are untouched.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	return wrap("rehash password", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
	}))
}

// PasswordChange is a user's new password and, when the user sets it
// themselves, their (re)wrapped key.
type PasswordChange struct {
	Hash               string
	MustChangePassword bool
	AgeRecipient       string // empty: the key is discarded (admin reset)
	WrappedIdentity    []byte
	// KeepSession is the session that survives the change (the user's own,
	// already rotated); every other session of the user is revoked.
	KeepSession []byte
}

func changePassword(ctx context.Context, tx *sql.Tx, id int64, c PasswordChange) (int, error) {
	var recipient any
	if c.AgeRecipient != "" {
		recipient = c.AgeRecipient
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?,
		age_recipient = ?, wrapped_identity = ? WHERE id = ?`,
		c.Hash, c.MustChangePassword, recipient, c.WrappedIdentity, id)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, sql.ErrNoRows
	}
	return deleteSessions(ctx, tx, id, c.KeepSession)
}

func setEmail(ctx context.Context, tx *sql.Tx, id int64, email string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, id)
	if err != nil {
		return uniqueError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("set e-mail", sql.ErrNoRows)
	}
	return nil
}

func setRole(ctx context.Context, tx *sql.Tx, id int64, role Role) (int, error) {
	if role != RoleAdmin {
		if err := ensureOtherAdmin(ctx, tx, id); err != nil {
			return 0, err
		}
	}
	if err := updateOne(ctx, tx, `UPDATE users SET role = ? WHERE id = ?`, role, id); err != nil {
		return 0, err
	}
	return deleteSessions(ctx, tx, id, nil)
}

func setDisabled(ctx context.Context, tx *sql.Tx, id int64, disabled bool) (int, error) {
	if disabled {
		if err := ensureOtherAdmin(ctx, tx, id); err != nil {
			return 0, err
		}
	}
	if err := updateOne(ctx, tx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
		return 0, err
	}
	if !disabled {
		return 0, nil
	}
	return deleteSessions(ctx, tx, id, nil)
}

func deleteUser(ctx context.Context, tx *sql.Tx, id int64) error {
	if err := ensureOtherAdmin(ctx, tx, id); err != nil {
		return err
	}
	return updateOne(ctx, tx, `DELETE FROM users WHERE id = ?`, id)
}

// ensureOtherAdmin refuses when id is an active admin and no other active
// admin exists.
func ensureOtherAdmin(ctx context.Context, tx *sql.Tx, id int64) error {
	var isAdmin bool
	err := tx.QueryRowContext(ctx, `SELECT role = 'admin' AND NOT disabled FROM users WHERE id = ?`, id).Scan(&isAdmin)
	if err != nil || !isAdmin {
		return err
	}
	var others int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM users
		WHERE role = 'admin' AND NOT disabled AND id != ?`, id).Scan(&others)
	if err != nil {
		return err
	}
	if others == 0 {
		return ErrLastAdmin
	}
	return nil
}

func updateOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	if n > 1 {
		return fmt.Errorf("changed %d rows, want 1", n)
	}
	return nil
}
