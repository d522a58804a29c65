package breach

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"

	"pcmt/store"
)

// SyncJobs runs the syncs admins start from the web pages in the
// background. One runs at a time, here or in a `pcmt corpus sync`: the
// jobs table decides (Syncer.Begin).
type SyncJobs struct {
	s    *Syncer
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// NewSyncJobs makes the runner of s's syncs.
func NewSyncJobs(s *Syncer, log *slog.Logger) *SyncJobs {
	ctx, stop := context.WithCancel(context.Background())
	return &SyncJobs{s: s, log: log, ctx: ctx, stop: stop}
}

// URL is the range API the syncs fetch from.
func (j *SyncJobs) URL() string { return j.s.Fetcher.URL() }

// Start begins (or takes up) a sync of mode's corpus for the admin user
// and runs it in the background; the job's page follows it. A sync already
// running is refused with a *store.SyncRunningError. The start is not
// logged: an admin's goes through StartLogged.
func (j *SyncJobs) Start(ctx context.Context, user int64, mode store.PwnedMode) (store.ImportJob, error) {
	return j.start(ctx, user, mode, nil)
}

// StartLogged is Start with the job begun in one transaction with e's log
// entry: refused, no sync runs.
func (j *SyncJobs) StartLogged(ctx context.Context, user int64, mode store.PwnedMode, e Entry) (store.ImportJob, error) {
	return j.start(ctx, user, mode, &e)
}

func (j *SyncJobs) start(ctx context.Context, user int64, mode store.PwnedMode, e *Entry) (store.ImportJob, error) {
	job, _, err := j.s.beginJob(ctx, "web", user, mode, e)
	if err != nil {
		return job, err
	}
	j.run(job)
	return job, nil
}

func (j *SyncJobs) run(job store.ImportJob) {
	j.wg.Go(func() {
		sum, err := j.s.Run(j.ctx, job, nil)
		switch {
		case errors.Is(err, context.Canceled) && j.ctx.Err() != nil:
			j.log.Info("sync interrupted by shutdown", "job", job.ID)
		case err != nil:
			j.log.Warn("sync failed", "job", job.ID, "err", err)
		default:
			j.log.Info("sync done", "job", job.ID, "summary", sum.String())
		}
	})
}

// Resume runs again the web syncs a restart interrupted, and fails those
// of command lines that are gone (running the command again resumes
// them). No sync stays "running" for ever.
func (j *SyncJobs) Resume(ctx context.Context) error {
	jobs, err := j.s.Store.UnfinishedImportJobs(ctx)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	for _, job := range jobs {
		if !job.IsSync() {
			continue
		}
		if job.Origin != "web" {
			if job.Host == host && !alive(job.PID) {
				msg := "interrupted: the pcmt corpus sync process ended without finishing; run the same command again"
				if err := j.s.Store.FinishPwnedSync(ctx, job.ID, store.JobFailed, msg, "", 0, j.s.now()); err != nil {
					return err
				}
			}
			continue
		}
		if job.Path != j.s.Fetcher.URL() || job.FileSize != int64(j.s.space()) {
			msg := "interrupted by a restart, after which the range API's URL changed: start it again"
			if err := j.s.Store.FinishPwnedSync(ctx, job.ID, store.JobFailed, msg, "", 0, j.s.now()); err != nil {
				return err
			}
			continue
		}
		again, _, err := j.s.Begin(ctx, "web", job.CreatedBy, store.PwnedMode(job.Fingerprint))
		var running *store.SyncRunningError
		switch {
		case errors.As(err, &running):
			msg := "interrupted by a restart while another sync ran: start it again"
			if err := j.s.Store.FinishPwnedSync(ctx, job.ID, store.JobFailed, msg, "", 0, j.s.now()); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			j.log.Info("resuming sync", "job", again.ID)
			j.run(again)
		}
	}
	return nil
}

// Close stops a running sync: what it fetched is committed, and it is
// resumed at the next start.
func (j *SyncJobs) Close() {
	j.stop()
	j.wg.Wait()
}
