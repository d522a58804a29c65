package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PwnedSyncClaim is a sync about to start: who starts it and what it
// fetches.
type PwnedSyncClaim struct {
	Origin string // "cli" or "web"
	User   int64  // the admin, 0 for the command line
	Mode   PwnedMode
	URL    string // the range API's base URL
	Name   string // how the job is listed
	Ranges int64  // how many ranges it fetches
	PID    int
	Host   string
}

// SyncRunningError refuses a sync while another one runs.
type SyncRunningError struct{ Job ImportJob }

func (e *SyncRunningError) Error() string {
	mode := e.Job.Fingerprint
	return fmt.Sprintf("a sync of the %s corpus is running already (job %d, process %d on %s): one sync at a time",
		mode, e.Job.ID, e.Job.PID, e.Job.Host)
}

// Unwrap makes the refusal a conflict.
func (e *SyncRunningError) Unwrap() error { return ErrConflict }

// BeginPwnedSync starts a sync as job, in one transaction, so that two
// processes cannot both start one. A sync still running (live says which
// of the jobs marked running are) refuses it with a *SyncRunningError; the
// others were left by a process that ended and are marked failed. The
// newest sync of the same mode, URL and number of ranges is taken up again
// unless it finished well (resumed is then true: the ranges it committed
// are not fetched again); otherwise a new job begins.
func (s *Store) BeginPwnedSync(ctx context.Context, c PwnedSyncClaim, live func(ImportJob) bool, now time.Time) (job ImportJob, resumed bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) (err error) {
		job, resumed, err = beginPwnedSync(ctx, tx, c, live, now)
		return err
	})
	return job, resumed, wrap("begin pwned sync", err)
}

func beginPwnedSync(ctx context.Context, tx *sql.Tx, c PwnedSyncClaim, live func(ImportJob) bool, now time.Time) (job ImportJob, resumed bool, err error) {
	if err := c.Mode.check(); err != nil {
		return job, false, err
	}
	running, err := list(ctx, tx, "running syncs", scanJob, `SELECT `+jobColumns+` FROM import_jobs
		WHERE format = ? AND state IN ('queued', 'running') ORDER BY id`, SyncFormat)
	if err != nil {
		return job, false, err
	}
	for _, j := range running {
		if live(j) {
			return job, false, &SyncRunningError{Job: j}
		}
		if err := finishJob(ctx, tx, j.ID, JobFailed, "interrupted: the process running the sync ended without finishing", "", -1, now); err != nil {
			return job, false, err
		}
	}
	last, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM import_jobs
		WHERE format = ? AND fingerprint = ? AND path = ? ORDER BY id DESC LIMIT 1`, SyncFormat, string(c.Mode), c.URL))
	switch {
	case err == nil && last.State != JobDone && last.FileSize == c.Ranges:
		err = updateOne(ctx, tx, `UPDATE import_jobs SET state = 'running', pid = ?, host = ?, error = '',
			summary = '', ranges_failed = 0, heartbeat_at = ?, finished_at = NULL,
			started_at = coalesce(started_at, ?) WHERE id = ?`, c.PID, c.Host, formatTime(now), formatTime(now), last.ID)
		if err != nil {
			return job, false, err
		}
		job, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM import_jobs WHERE id = ?`, last.ID))
		return job, true, err
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return job, false, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO import_jobs (origin, created_by, path, file_name, file_size,
		fingerprint, format, state, phase, pid, host, created_at, started_at, heartbeat_at)
		VALUES (?, nullif(?, 0), ?, ?, ?, ?, ?, 'running', 'fetching', ?, ?, ?, ?, ?) RETURNING id`,
		c.Origin, c.User, c.URL, c.Name, c.Ranges, string(c.Mode), SyncFormat, c.PID, c.Host,
		formatTime(now), formatTime(now), formatTime(now)).Scan(&id)
	if err != nil {
		return job, false, err
	}
	job, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM import_jobs WHERE id = ?`, id))
	return job, false, err
}

// PwnedSyncHeartbeat says that job's sync is still running, while it has
// nothing to commit (upstream asked it to wait).
func (s *Store) PwnedSyncHeartbeat(ctx context.Context, job int64, now time.Time) error {
	return wrap("pwned sync heartbeat", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running'`,
			formatTime(now), job)
		return err
	}))
}

// FinishPwnedSync ends a sync: done with its summary, or failed with the
// error its admin reads; failed is how many ranges this pass could not
// fetch.
func (s *Store) FinishPwnedSync(ctx context.Context, job int64, state JobState, errText, summary string, failed int64, now time.Time) error {
	return wrap("finish pwned sync", s.tx(ctx, func(tx *sql.Tx) error {
		if err := updateOne(ctx, tx, `UPDATE import_jobs SET ranges_failed = ? WHERE id = ?`, failed, job); err != nil {
			return err
		}
		return finishJob(ctx, tx, job, state, errText, summary, -1, now)
	}))
}
