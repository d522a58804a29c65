package store

import (
	"context"
	"time"
)

// OpsStats are the operational figures /metrics shows: queues and jobs,
// never anything about a user.
type OpsStats struct {
	// OutboxPending is mail not yet accepted by the mail server;
	// OutboxOldest is when the oldest of it was queued (zero when none).
	OutboxPending int64
	OutboxOldest  time.Time
	// Jobs counts import jobs by state.
	Jobs map[string]int64
	// Running sums the running imports' progress: bytes read of bytes in
	// all, and records stored.
	RunningBytesDone, RunningBytesTotal, RunningRecords int64
	// SyncRangesDone and SyncRangesTotal are the running corpus syncs'
	// progress, in ranges.
	SyncRangesDone, SyncRangesTotal int64
}

// OpsStats reads the figures in one read transaction's worth of queries.
func (s *Store) OpsStats(ctx context.Context) (OpsStats, error) {
	st := OpsStats{Jobs: map[string]int64{"queued": 0, "running": 0, "done": 0, "failed": 0}}
	var oldest string
	err := s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(min(created_at), '') FROM outbox WHERE sent_at IS NULL`).
		Scan(&st.OutboxPending, &oldest)
	if err != nil {
		return st, wrap("ops stats", err)
	}
	if oldest != "" {
		st.OutboxOldest = parseTime(oldest)
	}
	// A corpus sync is a job too, counting ranges where imports count bytes.
	rows, err := s.r.QueryContext(ctx, `SELECT state, format = ?, count(*),
		coalesce(sum(CASE WHEN state = 'running' THEN bytes_done END), 0),
		coalesce(sum(CASE WHEN state = 'running' THEN file_size END), 0),
		coalesce(sum(CASE WHEN state = 'running' THEN records END), 0)
		FROM import_jobs GROUP BY state, format = ?`, SyncFormat, SyncFormat)
	if err != nil {
		return st, wrap("ops stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var sync bool
		var n, done, total, records int64
		if err := rows.Scan(&state, &sync, &n, &done, &total, &records); err != nil {
			return st, wrap("ops stats", err)
		}
		st.Jobs[state] += n
		if sync {
			st.SyncRangesDone += done
			st.SyncRangesTotal += total
			continue
		}
		st.RunningBytesDone += done
		st.RunningBytesTotal += total
		st.RunningRecords += records
	}
	return st, wrap("ops stats", rows.Err())
}
