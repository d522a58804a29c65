package store

import (
	"context"
	"database/sql"
	"time"
)

// HIBPCacheGet returns a cached Have I Been Pwned answer fetched no longer
// than maxAge before now, or ErrNotFound when there is none or it is stale
// (always, when maxAge is not positive).
func (s *Store) HIBPCacheGet(ctx context.Context, key []byte, maxAge time.Duration, now time.Time) (body []byte, status int, err error) {
	if maxAge <= 0 {
		return nil, 0, wrap("get hibp cache", sql.ErrNoRows)
	}
	err = s.r.QueryRowContext(ctx, `SELECT body, status FROM hibp_cache WHERE key = ? AND fetched_at >= ?`,
		key, formatTime(now.Add(-maxAge))).Scan(&body, &status)
	if err != nil {
		return nil, 0, wrap("get hibp cache", err)
	}
	return body, status, nil
}

// HIBPCachePut keeps an answer under key, replacing an older one.
func (s *Store) HIBPCachePut(ctx context.Context, key, body []byte, status int, now time.Time) error {
	if body == nil {
		body = []byte{} // a nil slice would bind as NULL
	}
	return wrap("put hibp cache", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO hibp_cache (key, body, status, fetched_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET body = excluded.body, status = excluded.status, fetched_at = excluded.fetched_at`,
			key, body, status, formatTime(now))
		return err
	}))
}

// HIBPCachePrune deletes the answers fetched before olderThan and says how
// many went.
func (s *Store) HIBPCachePrune(ctx context.Context, olderThan time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM hibp_cache WHERE fetched_at < ?`, formatTime(olderThan))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, wrap("prune hibp cache", err)
}
