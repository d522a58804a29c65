package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Session is a signed-in browser. Only the SHA-256 of its id is stored.
type Session struct {
	IDHash     []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end, whatever the activity
	IP         string
	UserAgent  string
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	return wrap("create session", s.tx(ctx, func(tx *sql.Tx) error {
		return insertSession(ctx, tx, sess)
	}))
}

func insertSession(ctx context.Context, tx *sql.Tx, sess *Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions
		(id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sess.IDHash, sess.UserID, formatTime(sess.CreatedAt), formatTime(sess.LastSeenAt),
		formatTime(sess.ExpiresAt), sess.IP, sess.UserAgent)
	return err
}

const sessionColumns = `s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent`

func scanSession(row interface{ Scan(...any) error }, extra ...any) (*Session, error) {
	var sess Session
	var created, seen, expires string
	dest := append([]any{&sess.IDHash, &sess.UserID, &created, &seen, &expires, &sess.IP, &sess.UserAgent}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = parseTime(created), parseTime(seen), parseTime(expires)
	return &sess, nil
}

// SessionUser returns the session with idHash and its user in one read.
// It runs on every signed-in request: answers are cached (see
// sessionCache), the statement is prepared once, and the user's wrapped key
// is left out (User.WrappedIdentity stays nil): requests work with the key
// unlocked in memory.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (*Session, *User, error) {
	if sess, u, ok := s.sessions.get(idHash); ok {
		return sess, u, nil
	}
	gen := s.sessions.gen.Load()
	stmt, err := s.prepared(ctx, &s.sessionUserStmt, `SELECT `+sessionColumns+`,
		u.id, u.username, u.email, u.password_hash, u.role, u.must_change_password, u.disabled,
		u.created_at, u.last_signin_at, coalesce(u.age_recipient, '')
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`)
	if err != nil {
		return nil, nil, wrap("get session", err)
	}
	var u User
	var created string
	var last sql.NullString
	sess, err := scanSession(stmt.QueryRowContext(ctx, idHash),
		&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &u.MustChangePassword, &u.Disabled,
		&created, &last, &u.AgeRecipient)
	if err != nil {
		return nil, nil, wrap("get session", err)
	}
	u.CreatedAt, u.LastSignInAt = parseTime(created), parseNullTime(last)
	s.sessions.put(gen, sess, &u)
	return sess, &u, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, at time.Time, ip string) error {
	return wrap("touch session", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, ip = ? WHERE id_hash = ?`,
			formatTime(at), ip, idHash)
		return err
	}))
}

// Sessions lists a user's sessions, most recently seen first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	return list(ctx, s.r, "list sessions", func(row rowScanner) (Session, error) {
		sess, err := scanSession(row)
		if err != nil {
			return Session{}, err
		}
		return *sess, nil
	}, `SELECT `+sessionColumns+` FROM sessions s WHERE s.user_id = ? ORDER BY s.last_seen_at DESC`, userID)
}

// ExistingSessions says which of the id hashes still name a session row:
// the server drops the keys it holds for the others, whose rows another
// process (pcmt user passwd) or a sweep removed.
func (s *Store) ExistingSessions(ctx context.Context, hashes [][]byte) (map[string]bool, error) {
	live := make(map[string]bool, len(hashes))
	if len(hashes) == 0 {
		return live, nil
	}
	list := make([]string, len(hashes))
	for i, h := range hashes {
		list[i] = hex.EncodeToString(h)
	}
	arg, err := json.Marshal(list)
	if err != nil {
		return nil, wrap("existing sessions", err)
	}
	err = each(ctx, s.r, "existing sessions", func(rows *sql.Rows) error {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return err
		}
		live[string(h)] = true
		return nil
	}, `SELECT id_hash FROM sessions WHERE id_hash IN (SELECT unhex(value) FROM json_each(?))`, string(arg))
	if err != nil {
		return nil, err
	}
	return live, nil
}

// DeleteSession revokes one session of a user; ErrNotFound when the user
// has no such session.
func (s *Store) DeleteSession(ctx context.Context, userID int64, idHash []byte) error {
	return wrap("delete session", s.tx(ctx, func(tx *sql.Tx) error {
		return deleteSession(ctx, tx, userID, idHash)
	}))
}

func deleteSession(ctx context.Context, tx *sql.Tx, userID int64, idHash []byte) error {
	return updateOne(ctx, tx, `DELETE FROM sessions WHERE user_id = ? AND id_hash = ?`, userID, idHash)
}

func deleteSessions(ctx context.Context, tx *sql.Tx, userID int64, except []byte) (int, error) {
	if except == nil {
		except = []byte{}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash != ?`, userID, except)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteExpiredSessions sweeps sessions past their absolute end or idle for
// longer than idle, and returns the id hashes removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) ([][]byte, error) {
	var gone [][]byte
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?
			RETURNING id_hash`, formatTime(now), formatTime(now.Add(-idle)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h []byte
			if err := rows.Scan(&h); err != nil {
				return err
			}
			gone = append(gone, h)
		}
		return rows.Err()
	})
	return gone, wrap("sweep sessions", err)
}
