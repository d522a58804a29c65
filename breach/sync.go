package breach

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"pcmt/hibp"
	"pcmt/store"
)

// A sync copies a Pwned Passwords corpus from the range API, range by
// range, into the store: workers fetch ranges concurrently, one writer
// commits them in batches, each range replacing its row wholesale with
// upstream's and recording its validators and the job in the same
// transaction (see store.CommitPwnedSync). A later sync sends the
// validators back and writes only the ranges upstream changed.

// SyncSpace is how many ranges the range API has: 00000 to FFFFF.
const SyncSpace = 1 << 20

// DefaultSyncWorkers is how many ranges a sync fetches at once unless told
// otherwise: enough to hide the round trips, few enough to be polite.
const DefaultSyncWorkers = 12

// syncStale is how long a sync may go without a heartbeat before another
// may take its place.
const syncStale = 2 * time.Minute

// Syncer runs corpus syncs.
type Syncer struct {
	Store   *store.Store
	Fetcher *hibp.RangeFetcher
	Log     *slog.Logger
	// Workers is how many ranges are fetched at once; 0 is
	// DefaultSyncWorkers. The fetcher should allow as many connections.
	Workers int
	// Batch is the most ranges one commit holds; 0 is
	// store.DefaultPwnedBatch. A commit also happens every Every.
	Batch int
	// Every is how often progress is reported and fetched ranges are
	// committed; 0 is a second.
	Every time.Duration
	// MaxFailures stops a sync once that many ranges failed (upstream is
	// down, not having a bad moment); 0 is 100.
	MaxFailures int64
	// Space is how many ranges, from 00000, a sync covers; 0 is all
	// (SyncSpace). Only tests set it, to sync a few hundred ranges.
	Space uint32
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	// active are the jobs this process runs: a job marked running by this
	// process's id is live only if it is one of them (a restarted
	// container's server often has the id of the one before). begin makes
	// a job active in the same step as it begins it.
	active sync.Map
	begin  sync.Mutex
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) space() uint32 {
	if s.Space == 0 || s.Space > SyncSpace {
		return SyncSpace
	}
	return s.Space
}

// SyncProgress is how far a sync has got. The counts are of ranges
// committed, this pass and any it resumes.
type SyncProgress struct {
	Done, Total                         int64
	Fetched, Unchanged, Changed, Failed int64
	Hashes                              int64 // in the ranges written
	DoneBefore                          int64 // ranges a resumed sync had done already
	Elapsed                             time.Duration
}

// SyncSummary is what a sync did.
type SyncSummary struct {
	Mode                                        store.PwnedMode
	Ranges, Fetched, Unchanged, Changed, Failed int64
	Hashes                                      int64
	Elapsed                                     time.Duration
}

func (s SyncSummary) String() string {
	return fmt.Sprintf("synced the %s Pwned Passwords corpus: %d ranges: %d fetched, %d unchanged (304), %d changed, %d failed; %d hashes written, in %s",
		s.Mode, s.Ranges, s.Fetched, s.Unchanged, s.Changed, s.Failed, s.Hashes, s.Elapsed.Round(time.Millisecond))
}

// SyncFailedError ends a sync that could not fetch every range: the ranges
// it did fetch are committed, and running it again fetches the others.
type SyncFailedError struct {
	Failed  int64
	Stopped bool    // too many failures: the sync stopped early
	First   []error // the first failures, each naming its range
}

// maxSyncErrors is how many failures a SyncFailedError names.
const maxSyncErrors = 5

func (e *SyncFailedError) Error() string {
	msgs := make([]string, len(e.First))
	for i, err := range e.First {
		msgs[i] = err.Error()
	}
	more := ""
	if e.Failed > int64(len(e.First)) {
		more = "; …"
	}
	what := fmt.Sprintf("%d ranges could not be fetched", e.Failed)
	if e.Stopped {
		what = fmt.Sprintf("stopped after %d ranges could not be fetched", e.Failed)
	}
	return fmt.Sprintf("%s (the others are stored; run the sync again to fetch these): %s%s", what, strings.Join(msgs, "; "), more)
}

// Begin starts a sync of mode's corpus, or takes up the unfinished one of
// the same corpus and upstream; resumed says which. It refuses with a
// *store.SyncRunningError while another sync runs, here or elsewhere.
// Run the job it returns: until Run has ended, this process counts it as
// running. The start is not logged: a person's goes through BeginLogged.
func (s *Syncer) Begin(ctx context.Context, origin string, user int64, mode store.PwnedMode) (store.ImportJob, bool, error) {
	return s.beginJob(ctx, origin, user, mode, nil)
}

// BeginLogged is Begin for a sync a person starts: the job is begun, or
// taken up again, with e's log entry in one transaction.
func (s *Syncer) BeginLogged(ctx context.Context, origin string, user int64, mode store.PwnedMode, e Entry) (store.ImportJob, bool, error) {
	return s.beginJob(ctx, origin, user, mode, &e)
}

func (s *Syncer) beginJob(ctx context.Context, origin string, user int64, mode store.PwnedMode, e *Entry) (store.ImportJob, bool, error) {
	host, _ := os.Hostname()
	name := "Pwned Passwords " + modeName(mode)
	if u, err := url.Parse(s.Fetcher.URL()); err == nil {
		name += " from " + u.Host
	}
	s.begin.Lock()
	defer s.begin.Unlock()
	claim := store.PwnedSyncClaim{Origin: origin, User: user, Mode: mode,
		URL: s.Fetcher.URL(), Name: name, Ranges: int64(s.space()), PID: os.Getpid(), Host: host}
	var job store.ImportJob
	var resumed bool
	var err error
	if e != nil {
		job, resumed, err = e.Audit.BeginPwnedSync(ctx, claim, s.live, s.now(), e.Event, e.Detail)
	} else {
		job, resumed, err = s.Store.BeginPwnedSync(ctx, claim, s.live, s.now())
	}
	if err == nil {
		s.active.Store(job.ID, true)
	}
	return job, resumed, err
}

// live says whether a job marked running is: its heartbeat is recent and,
// on this host, its process exists.
func (s *Syncer) live(j store.ImportJob) bool {
	if s.now().Sub(j.HeartbeatAt) > syncStale {
		return false
	}
	host, _ := os.Hostname()
	if j.Host == host && j.PID == os.Getpid() {
		_, ok := s.active.Load(j.ID)
		return ok
	}
	return j.Host != host || alive(j.PID)
}

func modeName(m store.PwnedMode) string {
	if m == store.PwnedNTLM {
		return "NTLM"
	}
	return "SHA-1"
}

// ParseSyncMode reads "sha1" or "ntlm".
func ParseSyncMode(s string) (store.PwnedMode, error) {
	switch m := store.PwnedMode(s); m {
	case store.PwnedSHA1, store.PwnedNTLM:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: want sha1 or ntlm", s)
}

// Run fetches every range of job that is not committed yet and ends the
// job: done, or failed naming the ranges that could not be fetched (a
// *SyncFailedError). Cancelled, it commits what it has fetched and leaves
// the job running, to be resumed. report, when set, is called about every
// second from Run's goroutine.
func (s *Syncer) Run(ctx context.Context, job store.ImportJob, report func(SyncProgress)) (SyncSummary, error) {
	start := s.now()
	defer s.active.Delete(job.ID)
	mode := store.PwnedMode(job.Fingerprint)
	sum := SyncSummary{Mode: mode}
	w := newSyncWriter(s, job, report, start)
	err := s.pass(ctx, job, w)
	sum.Elapsed = s.now().Sub(start)
	sum.Ranges, sum.Fetched, sum.Unchanged, sum.Changed, sum.Hashes = job.FileSize, w.p.Fetched, w.p.Unchanged, w.p.Changed, w.p.Hashes
	sum.Failed = w.p.Failed
	if err == nil && w.p.Failed > 0 {
		err = &SyncFailedError{Failed: w.p.Failed, Stopped: w.stopped, First: w.errs}
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return sum, err
	}
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if ferr := s.Store.FinishPwnedSync(bg, job.ID, store.JobFailed, err.Error(), sum.String(), sum.Failed, s.now()); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return sum, err
	}
	return sum, s.Store.FinishPwnedSync(bg, job.ID, store.JobDone, "", sum.String(), 0, s.now())
}
