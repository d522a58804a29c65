package breach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"pcmt/hibp"
	"pcmt/store"
)

// syncChunk is how many ranges' states the producer reads at a time.
const syncChunk = 4096

// syncBeat is how often a sync that has nothing to commit says it lives.
const syncBeat = 15 * time.Second

type syncTask struct {
	prefix uint32
	v      hibp.Validators
}

type syncResult struct {
	r   *store.PwnedSyncRange
	err error
}

// pass fetches the job's ranges not committed yet: one producer lists
// them with their validators, Workers fetch, and w commits.
func (s *Syncer) pass(parent context.Context, job store.ImportJob, w *syncWriter) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	mode := store.PwnedMode(job.Fingerprint)
	workers := cmp.Or(s.Workers, DefaultSyncWorkers)
	tasks := make(chan syncTask, 2*workers)
	results := make(chan syncResult, 2*workers)
	produced := make(chan error, 1)
	go func() { produced <- s.produce(ctx, job, mode, tasks) }()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for t := range tasks {
				results <- s.fetch(ctx, mode, t)
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	err := w.consume(ctx, results, cancel)
	if perr := <-produced; err == nil && perr != nil && !errors.Is(perr, context.Canceled) {
		err = perr
	}
	if err == nil {
		err = parent.Err()
	}
	return err
}

// produce lists the ranges to fetch in prefix order, skipping those the
// job has committed, with the validators of the last sync of each.
func (s *Syncer) produce(ctx context.Context, job store.ImportJob, mode store.PwnedMode, tasks chan<- syncTask) error {
	defer close(tasks)
	space := uint32(min(job.FileSize, SyncSpace))
	for lo := uint32(0); lo < space; lo += syncChunk {
		hi := min(lo+syncChunk, space)
		states, err := s.Store.PwnedSyncStates(ctx, mode, lo, hi)
		if err != nil {
			return err
		}
		i := 0
		for p := lo; p < hi; p++ {
			var v hibp.Validators
			if i < len(states) && states[i].Prefix == p {
				st := states[i]
				i++
				if st.Job == job.ID {
					continue
				}
				v = hibp.Validators{ETag: st.ETag, LastModified: st.Modified}
			}
			select {
			case tasks <- syncTask{prefix: p, v: v}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// fetch gets one range and lays it out as the store keeps it.
func (s *Syncer) fetch(ctx context.Context, mode store.PwnedMode, t syncTask) syncResult {
	a, err := s.Fetcher.Fetch(ctx, string(mode), t.prefix, t.v)
	if err != nil {
		return syncResult{err: err}
	}
	r, err := storedRange(mode, t.prefix, a)
	return syncResult{r: r, err: err}
}

// storedRange lays an answer of upstream out as the store keeps it.
func storedRange(mode store.PwnedMode, prefix uint32, a hibp.RangeAnswer) (*store.PwnedSyncRange, error) {
	r, err := store.NewPwnedSyncRange(mode, prefix)
	if err != nil {
		return nil, err
	}
	r.ETag, r.Modified, r.NotModified = a.Validators.ETag, a.Validators.LastModified, a.NotModified
	size := mode.Size()
	for i, c := range a.Counts {
		if err := r.Add(a.Digests[i*size:(i+1)*size], c); err != nil {
			return nil, fmt.Errorf("range %05X: %w", prefix, err)
		}
	}
	return r, nil
}

// syncWriter commits fetched ranges in batches and keeps the counts.
type syncWriter struct {
	s      *Syncer
	job    store.ImportJob
	mode   store.PwnedMode
	report func(SyncProgress)
	start  time.Time

	p        SyncProgress
	batch    []*store.PwnedSyncRange
	errs     []error
	stopped  bool
	lastBeat time.Time
}

func newSyncWriter(s *Syncer, job store.ImportJob, report func(SyncProgress), start time.Time) *syncWriter {
	return &syncWriter{s: s, job: job, mode: store.PwnedMode(job.Fingerprint), report: report, start: start, lastBeat: start,
		p: SyncProgress{Done: job.BytesDone, Total: job.FileSize, Fetched: job.RangesFetched, Unchanged: job.RangesUnchanged,
			Changed: job.RangesChanged, Hashes: job.Records, DoneBefore: job.BytesDone}}
}

// consume takes results until the workers are done, committing a batch
// when it is full and at every tick. After a failed commit it cancels the
// pass and only drains the results.
func (w *syncWriter) consume(ctx context.Context, results <-chan syncResult, cancel context.CancelFunc) error {
	batch := cmp.Or(w.s.Batch, store.DefaultPwnedBatch)
	maxFailures := cmp.Or(w.s.MaxFailures, 100)
	tick := time.NewTicker(cmp.Or(w.s.Every, time.Second))
	defer tick.Stop()
	var err error
	for {
		select {
		case res, ok := <-results:
			switch {
			case !ok:
				if err == nil {
					err = w.commit(ctx)
				}
				w.progress()
				return err
			case err != nil:
			case res.err != nil:
				if ctx.Err() != nil {
					continue // cancelled, not failed
				}
				w.fail(res.err)
				if w.p.Failed >= maxFailures && !w.stopped {
					w.stopped = true
					cancel()
				}
			default:
				w.batch = append(w.batch, res.r)
				if len(w.batch) >= batch {
					if err = w.commit(ctx); err != nil {
						cancel()
					}
				}
			}
		case <-tick.C:
			if err == nil {
				if err = w.commit(ctx); err != nil {
					cancel()
				}
			}
			if err == nil && w.s.now().Sub(w.lastBeat) >= syncBeat {
				w.lastBeat = w.s.now()
				if berr := w.s.Store.PwnedSyncHeartbeat(context.WithoutCancel(ctx), w.job.ID, w.lastBeat); berr != nil && w.s.Log != nil {
					w.s.Log.Warn("sync heartbeat", "job", w.job.ID, "err", berr)
				}
			}
			w.progress()
		}
	}
}

// commit stores the batch. Ranges fetched are complete, so they are
// committed even when the sync is being cancelled.
func (w *syncWriter) commit(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	now := w.s.now()
	c, err := w.s.Store.CommitPwnedSync(context.WithoutCancel(ctx), w.job.ID, w.mode, w.batch, now)
	if err != nil {
		return err
	}
	w.batch = w.batch[:0]
	w.lastBeat = now
	w.p.Done += c.Fetched + c.Unchanged
	w.p.Fetched += c.Fetched
	w.p.Unchanged += c.Unchanged
	w.p.Changed += c.Changed
	w.p.Hashes += c.Hashes
	return nil
}

func (w *syncWriter) fail(err error) {
	w.p.Failed++
	if len(w.errs) < maxSyncErrors {
		w.errs = append(w.errs, err)
	}
	if w.s.Log != nil {
		w.s.Log.Warn("sync: range failed", "job", w.job.ID, "err", err)
	}
}

func (w *syncWriter) progress() {
	if w.report == nil {
		return
	}
	p := w.p
	p.Elapsed = w.s.now().Sub(w.start)
	w.report(p)
}
