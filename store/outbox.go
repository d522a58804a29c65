package store

import (
	"context"
	"database/sql"
	"time"
)

// OutboxMail is one e-mail in the outbox, waiting or sent.
type OutboxMail struct {
	ID     int64
	UserID int64 // 0 when the mail is not a user's (or the user is gone)
	To     string
	// Subject is the subject without the configured prefix, unencoded.
	Subject  string
	BodyText string
	BodyHTML string // "" for a plain-text mail

	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time // zero while unsent
}

// maxMailError bounds the error text kept per mail: a server's reply can be
// long and only the gist helps an admin.
const maxMailError = 1000

const outboxColumns = `id, coalesce(user_id, 0), to_addr, subject, body_text, body_html,
	created_at, attempts, next_attempt_at, last_error, sent_at`

func scanMail(row interface{ Scan(...any) error }) (OutboxMail, error) {
	var m OutboxMail
	var created, next string
	var sent sql.NullString
	err := row.Scan(&m.ID, &m.UserID, &m.To, &m.Subject, &m.BodyText, &m.BodyHTML,
		&created, &m.Attempts, &next, &m.LastError, &sent)
	m.CreatedAt, m.NextAttemptAt, m.SentAt = parseTime(created), parseTime(next), parseNullTime(sent)
	return m, err
}

// EnqueueMail stores m (its To, Subject, bodies and UserID) as due at now
// and returns its id.
func (s *Store) EnqueueMail(ctx context.Context, m OutboxMail, now time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		id, err = insertMail(ctx, tx, m, now)
		return err
	})
	return id, wrap("enqueue mail", err)
}

// insertMail queues m within a transaction that may write more, so that a
// mail exists exactly when what it tells of does.
func insertMail(ctx context.Context, tx *sql.Tx, m OutboxMail, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox (user_id, to_addr, subject, body_text,
		body_html, created_at, next_attempt_at) VALUES (nullif(?, 0), ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.UserID, m.To, m.Subject, m.BodyText, m.BodyHTML, formatTime(now), formatTime(now)).Scan(&id)
	return id, err
}

// MailByID returns one mail, sent or not, or ErrNotFound.
func (s *Store) MailByID(ctx context.Context, id int64) (OutboxMail, error) {
	m, err := scanMail(s.r.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	return m, wrap("get mail", err)
}

// DueMail lists at most limit unsent mails whose next attempt is at or
// before now, oldest first.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]OutboxMail, error) {
	return list(ctx, s.r, "list due mail", scanMail, `SELECT `+outboxColumns+` FROM outbox
		WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?`, formatTime(now), limit)
}

// MarkMailSent records that the mail server accepted mail id at now. Marking
// a sent mail again keeps the first time.
func (s *Store) MarkMailSent(ctx context.Context, id int64, now time.Time) error {
	return wrap("mark mail sent", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE outbox SET sent_at = coalesce(sent_at, ?),
			last_error = '' WHERE id = ?`, formatTime(now), id)
	}))
}

// MarkMailFailed counts a failed attempt at unsent mail id, keeps why, and
// holds it back until next. ErrNotFound when there is no such unsent mail.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, errText string, next time.Time) error {
	if len(errText) > maxMailError {
		errText = errText[:maxMailError]
	}
	return wrap("mark mail failed", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE outbox SET attempts = attempts + 1,
			last_error = ?, next_attempt_at = ? WHERE id = ? AND sent_at IS NULL`,
			errText, formatTime(next), id)
	}))
}

// PendingMailCount counts the mails not yet sent, due or not.
func (s *Store) PendingMailCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n)
	return n, wrap("count pending mail", err)
}

// PruneSentMail deletes mails sent before cutoff and says how many: a sent
// mail's body tells of a user's exposures and is not kept for ever.
func (s *Store) PruneSentMail(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?`,
			formatTime(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrap("prune sent mail", err)
}
