package store

import (
	"context"
	"database/sql"
	"time"
)

// HIBPSourceName is the source of breaches that came from Have I Been
// Pwned's list: metadata only, no records.
const HIBPSourceName = "Have I Been Pwned"

// HIBPBreaches maps the names of HIBP's breaches seen so far to their local
// breach id (0 for those known before the first check, which have none).
func (s *Store) HIBPBreaches(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := each(ctx, s.r, "list hibp breaches", func(rows *sql.Rows) error {
		var name string
		var id int64
		err := rows.Scan(&name, &id)
		out[name] = id
		return err
	}, `SELECT name, coalesce(breach_id, 0) FROM hibp_breaches`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddHIBPBreaches records breaches new in HIBP's list. The first time
// (seed) they are only noted: the back catalogue is not news. Later ones
// become local breaches without records, and every user with a watchlist
// is queued for a recheck — all in one transaction.
func (s *Store) AddHIBPBreaches(ctx context.Context, bs []Breach, seed bool, now time.Time) error {
	return wrap("add hibp breaches", s.tx(ctx, func(tx *sql.Tx) error {
		for _, b := range bs {
			var id sql.NullInt64
			if !seed {
				// Its own name, so it never clashes with an imported breach
				// of the same name.
				lb := b
				lb.Name, lb.Source = b.Name+" (HIBP)", HIBPSourceName
				local, err := insertBreach(ctx, tx, lb, ImportOptions{Now: now})
				if err != nil {
					return err
				}
				id = sql.NullInt64{Int64: local, Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO hibp_breaches (name, breach_id, seen_at) VALUES (?, ?, ?)
				ON CONFLICT (name) DO NOTHING`, b.Name, id, formatTime(now)); err != nil {
				return err
			}
		}
		if seed || len(bs) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO hibp_rechecks (user_id, since)
			SELECT DISTINCT user_id, ? FROM watch_items WHERE true ON CONFLICT (user_id) DO NOTHING`, formatTime(now))
		return err
	}))
}

// ClaimHIBPRecheck takes a user's pending recheck: true for the one caller
// that gets it, so two requests never run it twice.
func (s *Store) ClaimHIBPRecheck(ctx context.Context, userID int64) (bool, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hibp_rechecks WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, wrap("claim hibp recheck", err)
}

// HIBPRecheckPending says whether a user has a recheck queued; a read, for
// every dashboard visit, before ClaimHIBPRecheck's write.
func (s *Store) HIBPRecheckPending(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM hibp_rechecks WHERE user_id = ?`, userID).Scan(&n)
	return n > 0, wrap("hibp recheck pending", err)
}

// RequeueHIBPRecheck queues a user's recheck again, after one that failed.
func (s *Store) RequeueHIBPRecheck(ctx context.Context, userID int64, now time.Time) error {
	return wrap("requeue hibp recheck", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO hibp_rechecks (user_id, since) VALUES (?, ?)
			ON CONFLICT (user_id) DO NOTHING`, userID, formatTime(now))
		return err
	}))
}
