package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"pcmt/apperr"
)

// A sync copies a corpus from the Pwned Passwords range API range by range.
// Each range fetched replaces the stored row wholesale (upstream's answer is
// the whole range, so nothing is added to what was there), and the range's
// validators and the job that fetched it are written in the same
// transaction: "job = this sync" is the checkpoint, so a sync killed at any
// point resumes without fetching a committed range again, and the job's
// counters, moved in that transaction too, count each range once.

// PwnedSyncState is what the last sync kept of one range.
type PwnedSyncState struct {
	Prefix   uint32
	ETag     string
	Modified string // Last-Modified, as upstream wrote it
	// Job is the sync that last fetched the range.
	Job int64
}

// PwnedSyncStates lists the kept states of the ranges from lo up to, not
// including, hi, in prefix order. Ranges never synced have none.
func (s *Store) PwnedSyncStates(ctx context.Context, mode PwnedMode, lo, hi uint32) ([]PwnedSyncState, error) {
	if err := mode.check(); err != nil {
		return nil, wrap("pwned sync states", err)
	}
	return list(ctx, s.r, "pwned sync states", func(row rowScanner) (st PwnedSyncState, err error) {
		err = row.Scan(&st.Prefix, &st.ETag, &st.Modified, &st.Job)
		return st, err
	}, `SELECT prefix, etag, modified, job FROM pwned_sync
		WHERE mode = ? AND prefix >= ? AND prefix < ? ORDER BY prefix`, string(mode), lo, hi)
}

// PwnedRangeFetched says whether a sync or the mirror stored the range
// (mode, prefix) from upstream, which tells a range upstream holds nothing
// of from one never asked.
func (s *Store) PwnedRangeFetched(ctx context.Context, mode PwnedMode, prefix uint32) (bool, error) {
	var ok bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pwned_sync WHERE mode = ? AND prefix = ?)`,
		string(mode), prefix).Scan(&ok)
	return ok, wrap("pwned range fetched", err)
}

// PwnedSyncRange is one range as upstream answered it: its validators, and
// either NotModified (a 304: the stored row stays) or every hash of the
// range, added in ascending order.
type PwnedSyncRange struct {
	Prefix      uint32
	ETag        string
	Modified    string
	NotModified bool

	mode PwnedMode
	rows pwnedRows
	last []byte
}

// NewPwnedSyncRange starts the range prefix of mode's corpus.
func NewPwnedSyncRange(mode PwnedMode, prefix uint32) (*PwnedSyncRange, error) {
	if err := mode.check(); err != nil {
		return nil, wrap("pwned sync range", err)
	}
	if prefix > 0xFFFFF {
		return nil, wrap("pwned sync range", fmt.Errorf("prefix %#x: %w", prefix, apperr.ErrInvalid))
	}
	return &PwnedSyncRange{Prefix: prefix, mode: mode, rows: pwnedRows{prefix: prefix}}, nil
}

// Add adds one hash of the range. Digests must be of the range and come in
// strictly ascending order: a range API answer lists each hash once.
func (r *PwnedSyncRange) Add(digest []byte, count uint64) error {
	if err := r.mode.checkDigest(digest); err != nil {
		return wrap("pwned sync add", err)
	}
	if PwnedPrefix(digest) != r.Prefix {
		return wrap("pwned sync add", fmt.Errorf("%X is not in range %05X: %w", digest, r.Prefix, apperr.ErrInvalid))
	}
	if r.last != nil && bytes.Compare(digest, r.last) <= 0 {
		return wrap("pwned sync add", fmt.Errorf("%X after %X: not in ascending order: %w", digest, r.last, apperr.ErrInvalid))
	}
	r.rows.keys = append(r.rows.keys, digest[pwnedKeyOffset:]...)
	r.rows.counts = append(r.rows.counts, count)
	r.last = append(r.last[:0], digest...)
	return nil
}

// PwnedSyncCounts is what a commit of synced ranges did.
type PwnedSyncCounts struct {
	Fetched   int64 // ranges answered in full
	Unchanged int64 // ranges answered 304
	Changed   int64 // ranges whose row was written or deleted
	Hashes    int64 // hashes in the rows written
}

// MirrorJob is the job of ranges the read-through mirror fetched for /range
// on their first ask: no sync's, so a later sync asks for them again (with
// their validators, so upstream answers 304 when nothing changed).
const MirrorJob = 0

// CommitPwnedSync stores a batch of ranges fetched by job in one
// transaction: each fetched range replaces its row (a range found empty
// deletes it) unless the row holds exactly that already, every range's
// validators are kept with job as the one that fetched it, and the job's
// counters (a sync's, not MirrorJob) move by what the batch did.
func (s *Store) CommitPwnedSync(ctx context.Context, job int64, mode PwnedMode, batch []*PwnedSyncRange, now time.Time) (PwnedSyncCounts, error) {
	var c PwnedSyncCounts
	if err := mode.check(); err != nil {
		return c, wrap("commit pwned sync", err)
	}
	if len(batch) == 0 {
		return c, nil
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c = PwnedSyncCounts{}
		existing, err := syncedRows(ctx, tx, mode, batch)
		if err != nil {
			return err
		}
		rows := make([]any, 0, 4*min(len(batch), pwnedRowsPerInsert))
		states := make([]any, 0, 5*min(len(batch), pwnedRowsPerInsert))
		for _, r := range batch {
			if r.mode != mode {
				return fmt.Errorf("range %05X of the %s corpus in a %s sync: %w", r.Prefix, r.mode, mode, apperr.ErrInvalid)
			}
			states = append(states, string(mode), r.Prefix, r.ETag, r.Modified, job)
			if len(states) == cap(states) {
				if states, err = insertSyncStates(ctx, tx, states); err != nil {
					return err
				}
			}
			if r.NotModified {
				c.Unchanged++
				continue
			}
			c.Fetched++
			old, had := existing[r.Prefix]
			if len(r.rows.counts) == 0 {
				if had {
					c.Changed++
					if _, err := tx.ExecContext(ctx, `DELETE FROM pwned_ranges WHERE mode = ? AND prefix = ?`, string(mode), r.Prefix); err != nil {
						return err
					}
				}
				continue
			}
			data := packPwned(r.rows)
			if had && bytes.Equal(old, data) {
				continue
			}
			c.Changed++
			c.Hashes += int64(len(r.rows.counts))
			rows = append(rows, string(mode), r.Prefix, len(r.rows.counts), data)
			if len(rows) == cap(rows) {
				if rows, err = upsertRanges(ctx, tx, rows); err != nil {
					return err
				}
			}
		}
		if _, err := upsertRanges(ctx, tx, rows); err != nil {
			return err
		}
		if _, err := insertSyncStates(ctx, tx, states); err != nil {
			return err
		}
		if job == MirrorJob {
			return nil
		}
		return updateOne(ctx, tx, `UPDATE import_jobs SET bytes_done = bytes_done + ?,
			ranges_fetched = ranges_fetched + ?, ranges_unchanged = ranges_unchanged + ?,
			ranges_changed = ranges_changed + ?, records = records + ?, heartbeat_at = ? WHERE id = ?`,
			c.Fetched+c.Unchanged, c.Fetched, c.Unchanged, c.Changed, c.Hashes, formatTime(now), job)
	})
	if c.Changed > 0 {
		s.pwnedGen.Add(1)
	}
	return c, wrap("commit pwned sync", err)
}

// syncedRows reads the stored data of the batch's fetched ranges, which lie
// between its first and its last prefix.
func syncedRows(ctx context.Context, tx *sql.Tx, mode PwnedMode, batch []*PwnedSyncRange) (map[uint32][]byte, error) {
	want := map[uint32]bool{}
	lo, hi := uint32(0xFFFFF), uint32(0)
	for _, r := range batch {
		if !r.NotModified {
			want[r.Prefix] = true
			lo, hi = min(lo, r.Prefix), max(hi, r.Prefix)
		}
	}
	out := map[uint32][]byte{}
	if len(want) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT prefix, data FROM pwned_ranges
		WHERE mode = ? AND prefix BETWEEN ? AND ?`, string(mode), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var prefix uint32
		var data sql.RawBytes
		if err := rows.Scan(&prefix, &data); err != nil {
			return nil, err
		}
		if want[prefix] {
			out[prefix] = bytes.Clone(data)
		}
	}
	return out, rows.Err()
}

// upsertRanges writes rows (mode, prefix, n, data, four values a row) in
// one statement and returns rows emptied.
func upsertRanges(ctx context.Context, tx *sql.Tx, rows []any) ([]any, error) {
	return insertMany(ctx, tx, `INSERT INTO pwned_ranges (mode, prefix, n, data) VALUES `, 4,
		` ON CONFLICT (mode, prefix) DO UPDATE SET n = excluded.n, data = excluded.data`, rows)
}

// insertSyncStates writes states (mode, prefix, etag, modified, job) in one
// statement and returns states emptied.
func insertSyncStates(ctx context.Context, tx *sql.Tx, states []any) ([]any, error) {
	return insertMany(ctx, tx, `INSERT INTO pwned_sync (mode, prefix, etag, modified, job) VALUES `, 5,
		` ON CONFLICT (mode, prefix) DO UPDATE SET etag = excluded.etag, modified = excluded.modified, job = excluded.job`, states)
}

func insertMany(ctx context.Context, tx *sql.Tx, head string, cols int, tail string, args []any) ([]any, error) {
	n := len(args) / cols
	if n == 0 {
		return args, nil
	}
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	q := head + strings.Repeat(row+", ", n-1) + row + tail
	_, err := tx.ExecContext(ctx, q, args...)
	return args[:0], err
}
