package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pcmt/apperr"
)

// MaxWatchItems is how many values one user may watch.
const MaxWatchItems = 50

// ErrWatchlistFull refuses an item past MaxWatchItems.
var ErrWatchlistFull = apperr.New(apperr.Invalid, fmt.Sprintf("You watch %d values, the most there can be: remove one first.", MaxWatchItems))

// ErrWatchDuplicate refuses a value the user already watches.
var ErrWatchDuplicate = apperr.New(apperr.Conflict, "You already watch this.")

// WatchItem is one value a user watches. The store never sees the value:
// Ciphertext is it encrypted to the user's own key, Digest the keyed digest
// the background match compares (see package monitor).
type WatchItem struct {
	ID         int64
	UserID     int64
	Kind       RecordKind // RecordEmail or RecordUsername
	Ciphertext []byte
	Digest     []byte
	CreatedAt  time.Time
}

// WatchRef is what a match needs of an item: whose it is.
type WatchRef struct {
	ItemID int64
	UserID int64
	Digest []byte
}

const watchColumns = `id, user_id, kind, ciphertext, digest, created_at`

func scanWatchItem(row interface{ Scan(...any) error }) (WatchItem, error) {
	var w WatchItem
	var created string
	err := row.Scan(&w.ID, &w.UserID, &w.Kind, &w.Ciphertext, &w.Digest, &created)
	w.CreatedAt = parseTime(created)
	return w, err
}

// AddWatchItem stores w for its user at now and returns its id:
// ErrWatchDuplicate when they already watch the same value,
// ErrWatchlistFull past MaxWatchItems.
func (s *Store) AddWatchItem(ctx context.Context, w WatchItem, now time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM watch_items WHERE user_id = ?`, w.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxWatchItems {
			return ErrWatchlistFull
		}
		return tx.QueryRowContext(ctx, `INSERT INTO watch_items (user_id, kind, ciphertext, digest, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, w.UserID, int(w.Kind), w.Ciphertext, w.Digest, formatTime(now)).Scan(&id)
	})
	if err != nil {
		if err = wrap("add watch item", err); errors.Is(err, ErrConflict) {
			return 0, ErrWatchDuplicate
		}
		return 0, err
	}
	return id, nil
}

// WatchItems lists a user's items, oldest first.
func (s *Store) WatchItems(ctx context.Context, userID int64) ([]WatchItem, error) {
	return list(ctx, s.r, "list watch items", scanWatchItem,
		`SELECT `+watchColumns+` FROM watch_items WHERE user_id = ? ORDER BY id`, userID)
}

// CountWatchItems counts the values a user watches, without reading them.
func (s *Store) CountWatchItems(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM watch_items WHERE user_id = ?`, userID).Scan(&n)
	return n, wrap("count watch items", err)
}

// WatchItem returns one of a user's items; another user's is ErrNotFound.
func (s *Store) WatchItem(ctx context.Context, userID, id int64) (WatchItem, error) {
	w, err := scanWatchItem(s.r.QueryRowContext(ctx, `SELECT `+watchColumns+` FROM watch_items
		WHERE id = ? AND user_id = ?`, id, userID))
	return w, wrap("get watch item", err)
}

// DeleteWatchItem removes one of a user's items and its alerts; another
// user's is ErrNotFound.
func (s *Store) DeleteWatchItem(ctx context.Context, userID, id int64) error {
	return wrap("delete watch item", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `DELETE FROM watch_items WHERE id = ? AND user_id = ?`, id, userID)
	}))
}

// WatchRefs lists every watched digest of every user: what one match pass
// loads into memory (50 items a user, 32 bytes each).
func (s *Store) WatchRefs(ctx context.Context) ([]WatchRef, error) {
	return list(ctx, s.r, "list watch digests", func(row rowScanner) (r WatchRef, err error) {
		err = row.Scan(&r.ItemID, &r.UserID, &r.Digest)
		return r, err
	}, `SELECT id, user_id, digest FROM watch_items`)
}

// EachAccountRecord calls fn with every e-mail and username digest of a
// breach, in key order, streaming: memory stays flat whatever the breach's
// size. digest is only valid during the call. An error from fn stops the
// walk and is returned.
func (s *Store) EachAccountRecord(ctx context.Context, breachID int64, fn func(kind RecordKind, digest []byte) error) error {
	for _, kind := range []RecordKind{RecordEmail, RecordUsername} {
		if err := s.eachRecord(ctx, breachID, kind, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachRecord walks one kind: one column a row, for every row is a round of
// calls into SQLite and a million rows is common.
func (s *Store) eachRecord(ctx context.Context, breachID int64, kind RecordKind, fn func(RecordKind, []byte) error) error {
	const op = "read breach records"
	rows, err := s.r.QueryContext(ctx, `SELECT digest FROM breach_records
		WHERE breach_id = ? AND kind = ? ORDER BY digest`, breachID, int(kind))
	if err != nil {
		return wrap(op, err)
	}
	defer rows.Close()
	var digest sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&digest); err != nil {
			return wrap(op, err)
		}
		if err := fn(kind, digest); err != nil {
			return err
		}
	}
	return wrap(op, rows.Err())
}

// EmailAlerts says whether a user wants alerts by e-mail (the default).
func (s *Store) EmailAlerts(ctx context.Context, userID int64) (bool, error) {
	on := true
	err := s.r.QueryRowContext(ctx, `SELECT email_alerts FROM user_prefs WHERE user_id = ?`, userID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return on, wrap("get preferences", err)
}

// SetEmailAlerts turns a user's e-mail alerts on or off.
func (s *Store) SetEmailAlerts(ctx context.Context, userID int64, on bool) error {
	return wrap("set preferences", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_prefs (user_id, email_alerts) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET email_alerts = excluded.email_alerts`, userID, on)
		return err
	}))
}
