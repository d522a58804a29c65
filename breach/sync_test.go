package breach_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
	"pcmt/store/storetest"
)

// syncSpace is the prefix space of these tests: a few hundred ranges.
const syncSpace = 300

type syncWorld struct {
	t      *testing.T
	st     *store.Store
	up     *hibptest.Server
	sha1   *hibptest.Corpus
	ntlm   *hibptest.Corpus
	syncer *breach.Syncer
}

func newSyncWorld(t *testing.T) *syncWorld {
	t.Helper()
	w := &syncWorld{t: t, st: storetest.New(t),
		sha1: hibptest.Generate(hibp.ModeSHA1, 7, syncSpace, 40),
		ntlm: hibptest.Generate(hibp.ModeNTLM, 8, syncSpace, 40)}
	up, err := hibptest.Start("127.0.0.1:0", w.sha1, w.ntlm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	w.up = up
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: up.URL, UserAgent: "pcmt-test", Connections: 4,
		Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.syncer = &breach.Syncer{Store: w.st, Fetcher: f, Workers: 4, Batch: 16, Every: 10 * time.Millisecond, Space: syncSpace}
	return w
}

// sync runs one command-line sync of mode to its end.
func (w *syncWorld) sync(mode store.PwnedMode) (store.ImportJob, breach.SyncSummary, error) {
	w.t.Helper()
	ctx := context.Background()
	job, _, err := w.syncer.Begin(ctx, "cli", 0, mode)
	if err != nil {
		w.t.Fatal(err)
	}
	sum, err := w.syncer.Run(ctx, job, nil)
	j, jerr := w.st.ImportJobByID(ctx, job.ID)
	if jerr != nil {
		w.t.Fatal(jerr)
	}
	return j, sum, err
}

func (w *syncWorld) same(c *hibptest.Corpus) {
	w.t.Helper()
	if err := hibptest.Compare(context.Background(), w.st, c, syncSpace); err != nil {
		w.t.Fatal(err)
	}
}

// TestSyncStoresExactlyUpstream: through 5xx answers, 429s and slow
// answers, a sync stores exactly upstream's corpus of the mode asked for,
// the other mode untouched, and counts each range once.
func TestSyncStoresExactlyUpstream(t *testing.T) {
	w := newSyncWorld(t)
	ps := w.sha1.Prefixes()
	w.up.Fail(hibp.ModeSHA1, ps[3], hibptest.Fault{Status: 503}, hibptest.Fault{Status: 500})
	w.up.Fail(hibp.ModeSHA1, ps[50], hibptest.Fault{Status: 429, RetryAfter: "0"}, hibptest.Fault{Status: 429, RetryAfter: "1"})
	w.up.Fail(hibp.ModeSHA1, ps[100], hibptest.Fault{Delay: 100 * time.Millisecond})
	w.up.Fail(hibp.ModeSHA1, syncSpace, hibptest.Fault{Status: 502}) // past the space: never asked

	job, sum, err := w.sync(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	w.same(w.sha1)
	if st, _ := w.st.PwnedStats(context.Background(), store.PwnedNTLM); st.Ranges != 0 {
		t.Fatalf("a SHA-1 sync stored %d NTLM ranges", st.Ranges)
	}
	populated := int64(len(ps))
	if sum.Fetched != syncSpace || sum.Unchanged != 0 || sum.Failed != 0 || sum.Changed != populated || sum.Hashes != w.sha1.Hashes() {
		t.Fatalf("summary %+v, want %d fetched, %d changed, %d hashes", sum, syncSpace, populated, w.sha1.Hashes())
	}
	if job.State != store.JobDone || job.BytesDone != syncSpace || job.RangesFetched != syncSpace || job.RangesChanged != populated ||
		job.Records != w.sha1.Hashes() || !strings.Contains(job.Summary, "300 fetched, 0 unchanged (304)") {
		t.Fatalf("job %+v", job)
	}
	st := w.up.Stats()
	if st.Faults != 5 || st.Requests != syncSpace+4 || st.Padded != 0 || st.UserAgents["pcmt-test"] != st.Requests {
		t.Fatalf("upstream saw %+v", st)
	}

	if _, _, err := w.sync(store.PwnedNTLM); err != nil {
		t.Fatal(err)
	}
	w.same(w.ntlm)
	w.same(w.sha1)
}

// TestSyncAgainWritesOnlyWhatChanged: a second sync sends every range's
// validators back; ranges upstream did not change answer 304 and are not
// written (a trigger records every write), the changed ones replace their
// rows, a range emptied upstream is deleted.
func TestSyncAgainWritesOnlyWhatChanged(t *testing.T) {
	w := newSyncWorld(t)
	if _, _, err := w.sync(store.PwnedSHA1); err != nil {
		t.Fatal(err)
	}
	w.up.Stats()
	written := writesRecorder(t, w.st)

	ps := w.sha1.Prefixes()
	var empty uint32
	for p := range uint32(syncSpace) {
		if !slices.Contains(ps, p) {
			empty = p
			break
		}
	}
	w.sha1.Change(ps[0], 1, 5)    // new hashes
	w.sha1.Change(ps[10], 2, 300) // many more
	w.sha1.Change(ps[20], 3, 0)   // emptied
	w.sha1.Change(empty, 4, 12)   // populated
	changed := []uint32{ps[0], ps[10], ps[20], empty}
	slices.Sort(changed)

	job, sum, err := w.sync(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	w.same(w.sha1)
	st := w.up.Stats()
	if st.Requests != syncSpace || st.Conditional != syncSpace || st.NotModified != syncSpace-4 || st.Full != 4 {
		t.Fatalf("upstream saw %+v", st)
	}
	if sum.Unchanged != syncSpace-4 || sum.Fetched != 4 || sum.Changed != 4 || job.RangesChanged != 4 || job.BytesDone != syncSpace {
		t.Fatalf("summary %+v", sum)
	}
	if got := written(); !slices.Equal(got, changed) {
		t.Fatalf("rows written %X, want only the changed ranges %X", got, changed)
	}
}

// writesRecorder records the prefix of every row written to pwned_ranges
// from now on, through a trigger made in the test's database.
func writesRecorder(t *testing.T, st *store.Store) func() []uint32 {
	t.Helper()
	db, err := sql.Open("sqlite3", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE TABLE written (prefix INTEGER)`,
		`CREATE TRIGGER written_insert AFTER INSERT ON pwned_ranges BEGIN INSERT INTO written VALUES (new.prefix); END`,
		`CREATE TRIGGER written_update AFTER UPDATE ON pwned_ranges BEGIN INSERT INTO written VALUES (new.prefix); END`,
		`CREATE TRIGGER written_delete AFTER DELETE ON pwned_ranges BEGIN INSERT INTO written VALUES (old.prefix); END`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return func() []uint32 {
		rows, err := db.Query(`SELECT DISTINCT prefix FROM written ORDER BY prefix`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []uint32
		for rows.Next() {
			var p uint32
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
}

// TestSyncRefusesMalformedRange: a range that answers garbage at every
// attempt is refused with an error naming it; the row it had stays whole
// (no partial range is stored); the other ranges are stored; running the
// sync again resumes the same job and fetches that range alone.
func TestSyncRefusesMalformedRange(t *testing.T) {
	w := newSyncWorld(t)
	if _, _, err := w.sync(store.PwnedSHA1); err != nil {
		t.Fatal(err)
	}
	ps := w.sha1.Prefixes()
	bad := ps[7]
	before, err := w.st.PwnedRange(context.Background(), store.PwnedSHA1, bad)
	if err != nil || before.N == 0 {
		t.Fatal(before.N, err)
	}
	w.sha1.Change(bad, 9, 50)
	w.sha1.Change(ps[8], 10, 20)
	good := string(w.sha1.Answer(bad))
	partial := good[:len(good)/2] + "\r\nnot a line"
	w.up.Fail(hibp.ModeSHA1, bad, hibptest.Fault{Body: partial}, hibptest.Fault{Body: partial}, hibptest.Fault{Body: partial})

	job, sum, err := w.sync(store.PwnedSHA1)
	var fe *breach.SyncFailedError
	if !errors.As(err, &fe) || fe.Failed != 1 || !strings.Contains(err.Error(), "range "+hex5(bad)+": line ") {
		t.Fatalf("sync with a malformed range: %v", err)
	}
	if job.State != store.JobFailed || job.RangesFailed != 1 || !strings.Contains(job.Error, "range "+hex5(bad)) || sum.Failed != 1 {
		t.Fatalf("job %+v", job)
	}
	stored, err := w.st.PwnedRange(context.Background(), store.PwnedSHA1, bad)
	if err != nil {
		t.Fatal(err)
	}
	if stored.N != before.N || !bytes.Equal(stored.Data, before.Data) {
		t.Fatalf("range %05X holds %d hashes after a refused answer, want the %d it had", bad, stored.N, before.N)
	}
	if c, err := w.st.PwnedRange(context.Background(), store.PwnedSHA1, ps[8]); err != nil || c.N != 20 {
		t.Fatalf("the other changed range: %d hashes, %v", c.N, err)
	}
	w.up.Stats()

	again, resumed, err := w.syncer.Begin(context.Background(), "cli", 0, store.PwnedSHA1)
	if err != nil || !resumed || again.ID != job.ID {
		t.Fatalf("re-run: job %d (resumed %v, %v), want job %d resumed", again.ID, resumed, err, job.ID)
	}
	sum, err = w.syncer.Run(context.Background(), again, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.same(w.sha1)
	if hits, st := w.up.Hits(hibp.ModeSHA1, bad), w.up.Stats(); st.Requests != 1 || hits != 1 || st.Full != 1 {
		t.Fatalf("the re-run asked upstream %+v, want the failed range alone", st)
	}
	if sum.Failed != 0 || sum.Fetched+sum.Unchanged != syncSpace {
		t.Fatalf("summary after the re-run %+v", sum)
	}
}

func hex5(p uint32) string { return fmt.Sprintf("%05X", p) }

// TestSyncOneAtATime: while a sync runs, another is refused, whichever the
// mode; a sync whose heartbeat stopped long ago is taken over.
func TestSyncOneAtATime(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	first, _, err := w.syncer.Begin(ctx, "web", 0, store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	var running *store.SyncRunningError
	for _, mode := range []store.PwnedMode{store.PwnedSHA1, store.PwnedNTLM} {
		_, _, err := w.syncer.Begin(ctx, "cli", 0, mode)
		if !errors.As(err, &running) || running.Job.ID != first.ID || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second sync of %s: %v", mode, err)
		}
	}
	later := &breach.Syncer{Store: w.st, Fetcher: w.syncer.Fetcher, Space: syncSpace, Now: func() time.Time { return time.Now().Add(time.Hour) }}
	taken, resumed, err := later.Begin(ctx, "cli", 0, store.PwnedSHA1)
	if err != nil || !resumed || taken.ID != first.ID {
		t.Fatalf("taking over a silent sync: job %d, resumed %v, %v", taken.ID, resumed, err)
	}
}
