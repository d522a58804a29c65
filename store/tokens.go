package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"pcmt/apperr"
)

// The scopes a personal API token may hold.
const (
	ScopeSearch         = "search"
	ScopeWatchlistRead  = "watchlist:read"
	ScopeWatchlistWrite = "watchlist:write"
)

// Scopes lists every scope, in the order pages show them.
func Scopes() []string { return []string{ScopeSearch, ScopeWatchlistRead, ScopeWatchlistWrite} }

// MaxLiveTokens bounds the tokens a user has that are neither revoked nor
// expired.
const MaxLiveTokens = 20

// Event names of the activity log for API tokens.
const (
	EventTokenCreated = "token_created"
	EventTokenRevoked = "token_revoked"
)

// The errors of a token that exists but does not work; an unknown token,
// or one whose user is disabled, is ErrNotFound.
var (
	ErrTokenExpired = apperr.New(apperr.Unauthorized, "The API token has expired.")
	ErrTokenRevoked = apperr.New(apperr.Unauthorized, "The API token was revoked.")
	// ErrTokenSuspended: an admin reset the user's password. The tokens
	// stay refused until the user's own password change revokes them.
	ErrTokenSuspended = apperr.New(apperr.Unauthorized, "The account's password must be changed: its API tokens do not work.")
	ErrTokenLimit     = apperr.New(apperr.Conflict, "You have 20 working tokens already: revoke one first.")
)

// Token is a personal API token as its owner sees it: never the token
// itself, which is shown once and kept only as a digest.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string // the characters after "pcmt_" shown to recognise it
	Scopes     []string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero while not revoked
}

// HasScope reports whether the token grants scope.
func (t *Token) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Live reports whether the token works at now, as far as the token goes.
func (t *Token) Live(now time.Time) bool { return !t.Revoked() && !t.Expired(now) }

// NewToken is a token about to be stored.
type NewToken struct {
	UserID    int64
	Name      string
	Digest    []byte // SHA-256 of the whole token
	Prefix    string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenUser is a working token and its user, as an API request sees them.
type TokenUser struct {
	Token Token
	User  *User // without the wrapped key, as SessionUser
}

// canonicalScopes returns scopes in the order of Scopes(), once each, or
// an error naming an unknown one.
func canonicalScopes(scopes []string) (string, error) {
	var out []string
	for _, known := range Scopes() {
		if slices.Contains(scopes, known) {
			out = append(out, known)
		}
	}
	if len(out) == 0 || len(out) != len(compactCopy(scopes)) {
		return "", apperr.New(apperr.Invalid, "A token needs at least one known scope.")
	}
	return strings.Join(out, " "), nil
}

func compactCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// CreateToken stores a new token; ErrTokenLimit when the user already has
// MaxLiveTokens working ones.
func (s *Store) CreateToken(ctx context.Context, t NewToken) (Token, error) {
	var out Token
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		out, err = createToken(ctx, tx, t)
		return err
	})
	return out, tokenError("create token", err)
}

// createToken checks the scopes and the limit of working tokens, and
// stores t.
func createToken(ctx context.Context, tx *sql.Tx, t NewToken) (Token, error) {
	scopes, err := canonicalScopes(t.Scopes)
	if err != nil {
		return Token{}, err
	}
	out := Token{UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, Scopes: strings.Fields(scopes),
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC()}
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?`,
		t.UserID, formatTime(t.CreatedAt)).Scan(&live); err != nil {
		return Token{}, err
	}
	if live >= MaxLiveTokens {
		return Token{}, ErrTokenLimit
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens
		(user_id, digest, prefix, name, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.UserID, t.Digest, t.Prefix, t.Name, scopes, formatTime(t.CreatedAt), formatTime(t.ExpiresAt))
	if err != nil {
		return Token{}, err
	}
	out.ID, err = res.LastInsertId()
	return out, err
}

// tokenError keeps the refusals of a new token (the limit, unknown
// scopes) as they are, for the pages to show, and wraps the rest.
func tokenError(op string, err error) error {
	var refused *apperr.Error
	if errors.As(err, &refused) {
		return refused
	}
	return wrap(op, err)
}

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.scopes, t.created_at, t.expires_at,
	t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }, extra ...any) (Token, error) {
	var t Token
	var scopes, created, expires string
	var used, revoked sql.NullString
	dest := append([]any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &scopes, &created, &expires, &used, &revoked}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Token{}, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.ExpiresAt = parseTime(created), parseTime(expires)
	t.LastUsedAt, t.RevokedAt = parseNullTime(used), parseNullTime(revoked)
	return t, nil
}

// Tokens lists a user's tokens, newest first, revoked and expired ones
// included.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	return list(ctx, s.r, "list tokens", func(row rowScanner) (Token, error) { return scanToken(row) },
		`SELECT `+tokenColumns+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id DESC`, userID)
}

func revokeToken(ctx context.Context, tx *sql.Tx, userID, id int64, now time.Time) error {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_tokens WHERE id = ? AND user_id = ?`,
		id, userID).Scan(&one); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?
		WHERE id = ? AND revoked_at IS NULL`, formatTime(now), id)
	return err
}

func revokeUserTokens(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?`,
		formatTime(now), userID, formatTime(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// TokenByDigest returns the working token whose digest this is, with its
// user, checked at now: ErrTokenRevoked, ErrTokenExpired or
// ErrTokenSuspended for a token that no longer works, ErrNotFound for an
// unknown one or one of a disabled user.
func (s *Store) TokenByDigest(ctx context.Context, digest []byte, now time.Time) (TokenUser, error) {
	var u User
	var created string
	var last sql.NullString
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+`,
		u.id, u.username, u.email, u.password_hash, u.role, u.must_change_password, u.disabled,
		u.created_at, u.last_signin_at, coalesce(u.age_recipient, '')
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = ?`, digest),
		&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &u.MustChangePassword, &u.Disabled,
		&created, &last, &u.AgeRecipient)
	if err != nil {
		return TokenUser{}, wrap("get token", err)
	}
	u.CreatedAt, u.LastSignInAt = parseTime(created), parseNullTime(last)
	switch {
	case u.Disabled:
		return TokenUser{}, wrap("get token", sql.ErrNoRows)
	case t.Revoked():
		return TokenUser{}, ErrTokenRevoked
	case t.Expired(now):
		return TokenUser{}, ErrTokenExpired
	case u.MustChangePassword:
		return TokenUser{}, ErrTokenSuspended
	}
	return TokenUser{Token: t, User: &u}, nil
}

// TouchToken records a use of a token at now. Callers touch at most once a
// minute per token (see Token.LastUsedAt): every touch is a write.
func (s *Store) TouchToken(ctx context.Context, id int64, now time.Time) error {
	return wrap("touch token", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(now), id)
		return err
	}))
}
