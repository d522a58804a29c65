package store

import (
	"context"
	"database/sql"
	"fmt"
)

// PwnedStats is how much of a corpus is stored.
type PwnedStats struct {
	Ranges int64
	Hashes int64
}

// PwnedStats counts a corpus's ranges and hashes.
func (s *Store) PwnedStats(ctx context.Context, mode PwnedMode) (PwnedStats, error) {
	var st PwnedStats
	err := s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(n), 0) FROM pwned_ranges WHERE mode = ?`,
		string(mode)).Scan(&st.Ranges, &st.Hashes)
	return st, wrap("count pwned", err)
}

// BeginPwnedImport starts job's import of a whole corpus, in phase
// ("sorted", or "unsorted" when the input is known to need sorting). The
// job owns the mode's corpus: one already stored is refused unless replace
// is set, and is then deleted in the same transaction that sets the phase,
// so a resumed job never deletes what it has written itself.
func (s *Store) BeginPwnedImport(ctx context.Context, job int64, mode PwnedMode, phase string, replace bool) error {
	if err := mode.check(); err != nil {
		return wrap("begin pwned import", err)
	}
	defer s.pwnedGen.Add(1)
	return wrap("begin pwned import", s.tx(ctx, func(tx *sql.Tx) error {
		var any int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM pwned_ranges WHERE mode = ? LIMIT 1)`,
			string(mode)).Scan(&any)
		if err != nil {
			return err
		}
		if any > 0 && !replace {
			return fmt.Errorf("a %s Pwned Passwords corpus is stored already (replace it to import again): %w", mode, ErrConflict)
		}
		return restartPwned(ctx, tx, job, mode, phase)
	}))
}

// RestartPwnedImport throws away what job has written and starts it over in
// phase: the way from "sorted" to "unsorted" when the input turns out not to
// be sorted.
func (s *Store) RestartPwnedImport(ctx context.Context, job int64, mode PwnedMode, phase string) error {
	defer s.pwnedGen.Add(1)
	return wrap("restart pwned import", s.tx(ctx, func(tx *sql.Tx) error {
		return restartPwned(ctx, tx, job, mode, phase)
	}))
}

// restartPwned empties the mode's corpus for job. The validators a sync
// kept go too: they described ranges that are no longer stored, and a later
// sync must fetch every range again rather than be told "not modified".
func restartPwned(ctx context.Context, tx *sql.Tx, job int64, mode PwnedMode, phase string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM pwned_ranges WHERE mode = ?`, string(mode)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pwned_sync WHERE mode = ?`, string(mode)); err != nil {
		return err
	}
	return updateOne(ctx, tx, `UPDATE import_jobs SET phase = ?, ck_prefix = -1, ck_offset = 0,
		ck_line = 0, records = 0 WHERE id = ?`, phase, job)
}
