package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// AlertMail is where an alert stands with e-mail.
type AlertMail int

// The e-mail states of an alert; the numbers are stored.
const (
	AlertMailPending AlertMail = 0 // a mail is still to be queued
	AlertMailed      AlertMail = 1 // queued in the outbox
	AlertNotMailed   AlertMail = 2 // none is sent: known at add time, alerts off, account disabled
)

// NewAlert is a watched value found in a breach.
type NewAlert struct {
	UserID      int64
	BreachID    int64
	WatchItemID int64
	// KnownAtAdd marks a breach that already held the value when the user
	// added it: shown, but not news, and never mailed.
	KnownAtAdd bool
}

// Alert is a watched value found in a breach, with the breach.
type Alert struct {
	ID          int64
	UserID      int64
	WatchItemID int64
	Kind        RecordKind // the watched item's
	CreatedAt   time.Time
	SeenAt      time.Time // zero while unseen
	KnownAtAdd  bool
	Mail        AlertMail
	Breach      Breach
}

// RecordAlerts stores alerts in one transaction and returns how many are
// new: an alert already recorded (same item, same breach) is kept as it
// was, so matching again changes nothing. Alerts of an item or breach gone
// meanwhile are dropped. New alerts of users who turned e-mail alerts off,
// or whose account is disabled, are marked as not to be mailed.
func (s *Store) RecordAlerts(ctx context.Context, alerts []NewAlert, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		insert, err := tx.PrepareContext(ctx, `INSERT INTO alerts (user_id, breach_id, watch_item_id,
			created_at, seen_at, emailed, known_at_add)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
			WHERE EXISTS (SELECT 1 FROM watch_items WHERE id = ?3 AND user_id = ?1)
			AND EXISTS (SELECT 1 FROM breaches WHERE id = ?2)
			ON CONFLICT (watch_item_id, breach_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		at := formatTime(now)
		for _, a := range alerts {
			seen, mail := sql.NullString{}, AlertMailPending
			if a.KnownAtAdd {
				seen, mail = sql.NullString{String: at, Valid: true}, AlertNotMailed
			}
			res, err := insert.ExecContext(ctx, a.UserID, a.BreachID, a.WatchItemID, at, seen, int(mail), a.KnownAtAdd)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		_, err = tx.ExecContext(ctx, `UPDATE alerts SET emailed = ? WHERE emailed = ? AND user_id IN
			(SELECT user_id FROM user_prefs WHERE email_alerts = 0 UNION SELECT id FROM users WHERE disabled = 1)`,
			int(AlertNotMailed), int(AlertMailPending))
		return err
	})
	return n, wrap("record alerts", err)
}

// DueAlertMail is one user's alerts waiting for an e-mail.
type DueAlertMail struct {
	UserID   int64
	To       string
	AlertIDs []int64
	// Breaches are the titles of the breaches, newest first, each once.
	Breaches []string
}

// DueAlertMails lists, per user, the alerts a mail is still due for.
func (s *Store) DueAlertMails(ctx context.Context) ([]DueAlertMail, error) {
	const op = "list due alert mail"
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.user_id, u.email, b.title FROM alerts a
		JOIN users u ON u.id = a.user_id JOIN breaches b ON b.id = a.breach_id
		WHERE a.emailed = ? ORDER BY a.user_id, b.breach_date DESC, b.id DESC, a.id`, int(AlertMailPending))
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []DueAlertMail
	var cur *DueAlertMail
	var lastTitle string
	for rows.Next() {
		var id, user int64
		var to, title string
		if err := rows.Scan(&id, &user, &to, &title); err != nil {
			return nil, wrap(op, err)
		}
		if cur == nil || cur.UserID != user {
			out = append(out, DueAlertMail{UserID: user, To: to})
			cur, lastTitle = &out[len(out)-1], ""
		}
		cur.AlertIDs = append(cur.AlertIDs, id)
		if title != lastTitle {
			cur.Breaches = append(cur.Breaches, title)
			lastTitle = title
		}
	}
	return out, wrap(op, rows.Err())
}

// QueueAlertMail queues m to d's user (its To and UserID are taken from d)
// and marks d's alerts mailed, in one transaction: a mail is queued once per
// alert even when two matches race (the second finds nothing due and queues
// nothing). It reports whether it queued the mail.
func (s *Store) QueueAlertMail(ctx context.Context, d DueAlertMail, m OutboxMail, now time.Time) (bool, error) {
	if len(d.AlertIDs) == 0 {
		return false, nil
	}
	queued := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids, err := json.Marshal(d.AlertIDs)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET emailed = ? WHERE user_id = ? AND emailed = ?
			AND id IN (SELECT value FROM json_each(?))`, int(AlertMailed), d.UserID, int(AlertMailPending), string(ids))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		m.UserID, m.To = d.UserID, d.To
		_, err = insertMail(ctx, tx, m, now)
		queued = err == nil
		return err
	})
	return queued, wrap("queue alert mail", err)
}

// prefixScanner scans some leading columns into pre, the rest into what
// the caller passes: so scanBreach can read a joined row.
type prefixScanner struct {
	row interface{ Scan(...any) error }
	pre []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append(p.pre, dest...)...) }

// AlertsFor lists a user's alerts with their breaches, newest first, at
// most limit of them.
func (s *Store) AlertsFor(ctx context.Context, userID int64, limit int) ([]Alert, error) {
	const op = "list alerts"
	// A kept statement: parsing this query cost several times running it
	// for a user with a few alerts.
	stmt, err := s.prepared(ctx, &s.alertsStmt, `SELECT a.id, a.user_id, a.watch_item_id, w.kind, a.created_at,
		a.seen_at, a.known_at_add, a.emailed, b.*
		FROM alerts a JOIN watch_items w ON w.id = a.watch_item_id
		JOIN (SELECT `+breachColumns+` FROM breaches) b ON b.id = a.breach_id
		WHERE a.user_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ?`)
	if err != nil {
		return nil, wrap(op, err)
	}
	rows, err := stmt.QueryContext(ctx, userID, limit)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		var created string
		var seen sql.NullString
		b, err := scanBreach(prefixScanner{row: rows, pre: []any{&a.ID, &a.UserID, &a.WatchItemID, &a.Kind,
			&created, &seen, &a.KnownAtAdd, &a.Mail}})
		if err != nil {
			return nil, wrap(op, err)
		}
		a.Breach, a.CreatedAt, a.SeenAt = b, parseTime(created), parseNullTime(seen)
		out = append(out, a)
	}
	return out, wrap(op, rows.Err())
}

// UnseenAlertCount counts a user's alerts not yet seen.
func (s *Store) UnseenAlertCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE user_id = ? AND seen_at IS NULL`, userID).Scan(&n)
	return n, wrap("count unseen alerts", err)
}

// MarkAlertsSeen marks the unseen alerts of a user up to alert id through
// (those the user was shown) seen at now, and says how many there were.
// Alerts raised after the page was drawn stay new.
func (s *Store) MarkAlertsSeen(ctx context.Context, userID, through int64, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET seen_at = ? WHERE user_id = ? AND seen_at IS NULL AND id <= ?`,
			formatTime(now), userID, through)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrap("mark alerts seen", err)
}
