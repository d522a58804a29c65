package store

import (
	"context"
	"database/sql"
	"time"
)

// JobState is where an import job is.
type JobState string

// The states of an import job. A job is never left running: a restart finds
// it and resumes or fails it.
const (
	JobQueued  JobState = "queued"
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// ImportJob is one import, from the command line or an admin's upload.
type ImportJob struct {
	ID          int64
	Origin      string // "cli" or "web"
	CreatedBy   int64  // 0 for the command line or a deleted admin
	Path        string
	FileName    string
	FileSize    int64
	Fingerprint string
	Format      string
	Options     string // JSON, the import's settings
	State       JobState

	BytesDone, Records, Skipped, Invalid int64

	Error   string
	Summary string

	// Corpus imports' checkpoint: the phase, the last range committed (-1
	// for none) and where sorted input resumes.
	Phase    string
	CkPrefix int64
	CkOffset int64
	CkLine   int64

	// PID and Host name the process that last started the job.
	PID  int
	Host string

	// A sync (Format SyncFormat) counts ranges, not bytes: FileSize is
	// the ranges to fetch and BytesDone those done, Records the hashes
	// of the ranges it wrote. These say how the ranges ended; HeartbeatAt
	// moves while it runs.
	RangesFetched, RangesUnchanged, RangesChanged, RangesFailed int64
	HeartbeatAt                                                 time.Time

	CreatedAt, StartedAt, FinishedAt time.Time
}

// SyncFormat is the format of a job that syncs the Pwned Passwords corpus
// from the range API instead of reading a file.
const SyncFormat = "sync"

// IsSync says whether the job is a corpus sync.
func (j ImportJob) IsSync() bool { return j.Format == SyncFormat }

// Finished says whether the job has ended, well or not.
func (j ImportJob) Finished() bool { return j.State == JobDone || j.State == JobFailed }

const jobColumns = `id, origin, coalesce(created_by, 0), path, file_name, file_size, fingerprint,
	format, options, state, bytes_done, records, skipped, invalid, error, summary,
	phase, ck_prefix, ck_offset, ck_line, pid, host, ranges_fetched, ranges_unchanged, ranges_changed,
	ranges_failed, heartbeat_at, created_at, started_at, finished_at`

func scanJob(row interface{ Scan(...any) error }) (ImportJob, error) {
	var j ImportJob
	var created string
	var heartbeat, started, finished sql.NullString
	err := row.Scan(&j.ID, &j.Origin, &j.CreatedBy, &j.Path, &j.FileName, &j.FileSize, &j.Fingerprint,
		&j.Format, &j.Options, &j.State, &j.BytesDone, &j.Records, &j.Skipped, &j.Invalid, &j.Error, &j.Summary,
		&j.Phase, &j.CkPrefix, &j.CkOffset, &j.CkLine, &j.PID, &j.Host, &j.RangesFetched, &j.RangesUnchanged,
		&j.RangesChanged, &j.RangesFailed, &heartbeat, &created, &started, &finished)
	j.HeartbeatAt = parseNullTime(heartbeat)
	j.CreatedAt, j.StartedAt, j.FinishedAt = parseTime(created), parseNullTime(started), parseNullTime(finished)
	return j, err
}

// CreateImportJob records a queued job and returns its id.
func (s *Store) CreateImportJob(ctx context.Context, j ImportJob, now time.Time) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		id, err = createImportJob(ctx, tx, j, now)
		return err
	})
	return id, wrap("create import job", err)
}

func createImportJob(ctx context.Context, tx *sql.Tx, j ImportJob, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO import_jobs (origin, created_by, path, file_name,
		file_size, fingerprint, format, options, created_at)
		VALUES (?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		j.Origin, j.CreatedBy, j.Path, j.FileName, j.FileSize, j.Fingerprint, j.Format, j.Options,
		formatTime(now)).Scan(&id)
	return id, err
}

// ImportJobByID returns one job or ErrNotFound.
func (s *Store) ImportJobByID(ctx context.Context, id int64) (ImportJob, error) {
	j, err := scanJob(s.r.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM import_jobs WHERE id = ?`, id))
	return j, wrap("get import job", err)
}

// ImportJobs lists the newest limit jobs.
func (s *Store) ImportJobs(ctx context.Context, limit int) ([]ImportJob, error) {
	return list(ctx, s.r, "list import jobs", scanJob, `SELECT `+jobColumns+` FROM import_jobs ORDER BY id DESC LIMIT ?`, limit)
}

// UnfinishedImportJobs lists the jobs queued or left running, oldest first:
// what a restart must resume or fail.
func (s *Store) UnfinishedImportJobs(ctx context.Context) ([]ImportJob, error) {
	return list(ctx, s.r, "list unfinished import jobs", scanJob, `SELECT `+jobColumns+` FROM import_jobs
		WHERE state IN ('queued', 'running') ORDER BY id`)
}

// UnfinishedImportJobFor finds the newest job of the same file that a
// re-run of the same command resumes, or ErrNotFound: one queued or left
// running, or a corpus import that failed after committing part of the
// corpus (its checkpoint says where to go on).
func (s *Store) UnfinishedImportJobFor(ctx context.Context, path, fingerprint string) (ImportJob, error) {
	j, err := scanJob(s.r.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM import_jobs
		WHERE path = ? AND fingerprint = ?
			AND (state IN ('queued', 'running') OR state = 'failed' AND phase != '')
		ORDER BY id DESC LIMIT 1`,
		path, fingerprint))
	return j, wrap("find unfinished import job", err)
}

// StartImportJob marks a job running, in process pid on host, with the
// format it is read as.
func (s *Store) StartImportJob(ctx context.Context, id int64, format string, pid int, host string, now time.Time) error {
	return wrap("start import job", s.tx(ctx, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, `UPDATE import_jobs SET state = 'running', format = ?, pid = ?, host = ?,
			error = '', started_at = coalesce(started_at, ?) WHERE id = ?`, format, pid, host, formatTime(now), id)
	}))
}

// ImportJobProgress records how far a running job has read. A negative
// records leaves the count alone: a corpus import's count moves with its
// checkpoints.
func (s *Store) ImportJobProgress(ctx context.Context, id, bytes, records, skipped, invalid int64) error {
	return wrap("record import progress", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET bytes_done = ?,
			records = CASE WHEN ? < 0 THEN records ELSE ? END, skipped = ?,
			invalid = ? WHERE id = ? AND state = 'running'`, bytes, records, records, skipped, invalid, id)
		return err
	}))
}

// FinishImportJob ends a job: done with its summary, or failed with the
// error its admin reads. A negative records keeps the count saved so far.
func (s *Store) FinishImportJob(ctx context.Context, id int64, state JobState, errText, summary string, records int64, now time.Time) error {
	return wrap("finish import job", s.tx(ctx, func(tx *sql.Tx) error {
		return finishJob(ctx, tx, id, state, errText, summary, records, now)
	}))
}

func finishJob(ctx context.Context, tx *sql.Tx, id int64, state JobState, errText, summary string, records int64, now time.Time) error {
	return updateOne(ctx, tx, `UPDATE import_jobs SET state = ?, error = ?, summary = ?,
		records = CASE WHEN ? < 0 THEN records ELSE ? END, bytes_done = CASE WHEN ? = 'done' THEN file_size ELSE bytes_done END, finished_at = ?
		WHERE id = ?`, state, errText, summary, records, records, state, formatTime(now), id)
}
