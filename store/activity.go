package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// Event names of the activity log.
const (
	EventSignIn          = "signin"
	EventSignInFailed    = "signin_failed"
	EventSignInThrottled = "signin_throttled"
	EventSignOut         = "signout"
	EventSignUp          = "signup"
	EventPasswordChanged = "password_changed"
	EventEmailChanged    = "email_changed"
	EventSessionsRevoked = "sessions_revoked"
	EventTOTPEnabled     = "totp_enabled"
	EventTOTPDisabled    = "totp_disabled"
	EventRecoveryUsed    = "recovery_code_used"
	EventUserCreated     = "user_created"
	EventRoleChanged     = "role_changed"
	EventUserDisabled    = "user_disabled"
	EventUserEnabled     = "user_enabled"
	EventUserDeleted     = "user_deleted"
	EventPasswordReset   = "password_reset"

	// Breach data events concern no account (user_id NULL): the audit
	// trail of what admins did to the data.
	EventImportUploaded = "import_uploaded"
	EventBreachEdited   = "breach_edited"
	EventBreachDeleted  = "breach_deleted"
	EventHIBPKeyChanged = "hibp_key_changed"
	EventCorpusSync     = "corpus_sync_started"
)

// Activity is one row of the activity log.
type Activity struct {
	ID      int64
	At      time.Time
	UserID  int64 // 0: none
	ActorID int64 // 0: anonymous or the system
	Event   string
	IP      string
	Detail  string
	MAC     []byte
}

// Auditor appends to the activity log, chaining each row to the previous
// one with an HMAC under its key.
type Auditor struct {
	s   *Store
	key []byte
}

// Auditor returns the activity log writer for key.
func (s *Store) Auditor(key []byte) *Auditor { return &Auditor{s: s, key: key} }

// mac is HMAC(key, previous mac ‖ the row's fields, length-prefixed).
func (a *Auditor) mac(prev []byte, ev *Activity) []byte {
	m := hmac.New(sha256.New, a.key)
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		m.Write(n[:])
		m.Write(b)
	}
	num := func(v int64) { field(binary.BigEndian.AppendUint64(nil, uint64(v))) }
	field(prev)
	num(ev.ID)
	field([]byte(formatTime(ev.At)))
	num(ev.UserID)
	num(ev.ActorID)
	field([]byte(ev.Event))
	field([]byte(ev.IP))
	field([]byte(ev.Detail))
	return m.Sum(nil)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Append adds ev to the log, setting its ID, time and MAC.
func (a *Auditor) Append(ctx context.Context, ev *Activity) error {
	return wrap("append activity", a.s.tx(ctx, func(tx *sql.Tx) error {
		return a.append(ctx, tx, ev)
	}))
}

// stamp gives ev its time as the log keeps it: now when it has none, in
// UTC, to the microsecond.
func (ev *Activity) stamp() {
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
}

func (a *Auditor) append(ctx context.Context, tx *sql.Tx, ev *Activity) error {
	var lastID int64
	var prev []byte
	err := tx.QueryRowContext(ctx, `SELECT id, mac FROM activity ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	ev.ID = lastID + 1
	ev.stamp()
	ev.MAC = a.mac(prev, ev)
	_, err = tx.ExecContext(ctx, `INSERT INTO activity (id, at, user_id, actor_id, event, ip, detail, mac)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ID, formatTime(ev.At), nullID(ev.UserID), nullID(ev.ActorID), ev.Event, ev.IP, ev.Detail, ev.MAC)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, activityHeadKey, a.head(ev.ID, ev.MAC))
	return err
}

// activityHeadKey names the setting that seals the newest row of the log,
// so that cutting rows off its end shows too.
const activityHeadKey = "activity.head"

// head is the seal of the log ending at row id with mac.
func (a *Auditor) head(id int64, mac []byte) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("pcmt activity head"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(id)))
	m.Write(mac)
	return m.Sum(nil)
}

const activityColumns = `id, at, coalesce(user_id, 0), coalesce(actor_id, 0), event, ip, detail, mac`

func scanActivity(rows rowScanner) (Activity, error) {
	var ev Activity
	var at string
	err := rows.Scan(&ev.ID, &at, &ev.UserID, &ev.ActorID, &ev.Event, &ev.IP, &ev.Detail, &ev.MAC)
	ev.At = parseTime(at)
	return ev, err
}

func (s *Store) listActivity(ctx context.Context, where string, limit int, args ...any) ([]Activity, error) {
	return list(ctx, s.r, "list activity", scanActivity, `SELECT `+activityColumns+` FROM activity WHERE `+where+
		` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

// UserActivity returns the newest limit events about a user.
func (s *Store) UserActivity(ctx context.Context, userID int64, limit int) ([]Activity, error) {
	return s.listActivity(ctx, `user_id = ?`, limit, userID)
}

// BrokenChainError names the first row whose MAC does not follow from the
// rows before it.
type BrokenChainError struct {
	ID     int64
	Reason string
}

func (e *BrokenChainError) Error() string {
	return fmt.Sprintf("activity log: row %d: %s", e.ID, e.Reason)
}

// Verify walks the whole log and returns how many rows it checked, or a
// *BrokenChainError for the first row that was edited, inserted out of
// order, or follows a deleted row.
func (a *Auditor) Verify(ctx context.Context) (int, error) {
	rows, err := a.s.r.QueryContext(ctx, `SELECT `+activityColumns+` FROM activity ORDER BY id`)
	if err != nil {
		return 0, wrap("verify activity", err)
	}
	defer rows.Close()
	var prev []byte
	var n int
	var lastID int64
	for rows.Next() {
		ev, err := scanActivity(rows)
		if err != nil {
			return n, wrap("verify activity", err)
		}
		if ev.ID != lastID+1 {
			return n, &BrokenChainError{ID: ev.ID, Reason: fmt.Sprintf("row %d before it is missing", lastID+1)}
		}
		if !hmac.Equal(ev.MAC, a.mac(prev, &ev)) {
			return n, &BrokenChainError{ID: ev.ID, Reason: "its contents or the row before it were changed"}
		}
		prev, lastID = ev.MAC, ev.ID
		n++
	}
	if err := rows.Err(); err != nil {
		return n, wrap("verify activity", err)
	}
	var seal []byte
	err = a.s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, activityHeadKey).Scan(&seal)
	switch {
	case err == sql.ErrNoRows && n == 0:
		return 0, nil
	case err != nil && err != sql.ErrNoRows:
		return n, wrap("verify activity", err)
	case !hmac.Equal(seal, a.head(lastID, prev)):
		return n, &BrokenChainError{ID: lastID + 1, Reason: "rows after row " + strconv.FormatInt(lastID, 10) + " were removed, or the log's seal was changed"}
	}
	return n, nil
}

// PreviousSignIn is the time of the user's sign-in before the latest one;
// zero when there was none.
func (s *Store) PreviousSignIn(ctx context.Context, userID int64) (time.Time, error) {
	var at string
	err := s.r.QueryRowContext(ctx, `SELECT at FROM activity WHERE user_id = ? AND event = ?
		ORDER BY id DESC LIMIT 1 OFFSET 1`, userID, EventSignIn).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, wrap("previous sign-in", err)
	}
	return parseTime(at), nil
}
