package breaches_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/breaches"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
	"pcmt/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// uploads is a Service over a fresh database whose uploads run in the
// background.
func uploads(t *testing.T) (*store.Store, *breaches.Service, *breach.Jobs) {
	t.Helper()
	st := newStore(t)
	jobs, err := breach.NewJobs(&breach.Importer{Store: st, TempDir: t.TempDir(), MaxSize: 1 << 20}, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jobs.Close)
	return st, newService(st, breaches.Deps{Uploads: jobs}), jobs
}

// uploaded is a file of e-mail addresses in jobs' directory, as the upload
// form leaves it.
func uploaded(t *testing.T, jobs *breach.Jobs) breach.Upload {
	t.Helper()
	const list = "ann@example.org\nbob@example.org\n"
	path := filepath.Join(jobs.Dir(), "upload-1")
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	return breach.Upload{Path: path, Name: "forum.txt", Size: int64(len(list))}
}

var listOptions = breach.Options{Format: breach.FormatLines, Kind: breach.Emails, Name: "Forum"}

// TestUpload: an admin's upload is a web job of theirs, made on the
// Service's clock with a log entry naming the file and the job.
func TestUpload(t *testing.T) {
	st, s, jobs := uploads(t)
	ctx := context.Background()
	id, err := s.Upload(ctx, admin, uploaded(t, jobs), listOptions)
	if err != nil {
		t.Fatal(err)
	}
	j, err := st.ImportJobByID(ctx, id)
	if err != nil || j.Origin != "web" || j.CreatedBy != admin.ID || j.FileName != "forum.txt" || !j.CreatedAt.Equal(clock) {
		t.Fatalf("job %+v, %v", j, err)
	}
	logged(t, st, admin, store.EventImportUploaded, "forum.txt (32 bytes), job "+strconv.FormatInt(id, 10))
}

// TestUploadIsLogged: with the log refusing the entry, no job is made and
// the uploaded file is gone.
func TestUploadIsLogged(t *testing.T) {
	st, s, jobs := uploads(t)
	storetest.RefuseActivity(t, st, store.EventImportUploaded)
	u := uploaded(t, jobs)
	if _, err := s.Upload(context.Background(), admin, u, listOptions); err == nil {
		t.Fatal("the upload succeeded with its log entry refused")
	}
	if n := jobCount(t, st); n != 0 {
		t.Fatalf("%d jobs made unlogged", n)
	}
	if _, err := os.Stat(u.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused upload's file is left: %v", err)
	}
}

// commandLine is a Service over a fresh database with the command line's
// importer, and a list to import.
func commandLine(t *testing.T) (*store.Store, *breaches.Service, *breach.Importer, string) {
	t.Helper()
	st := newStore(t)
	im := &breach.Importer{Store: st, TempDir: t.TempDir(), MaxSize: 1 << 20}
	path := filepath.Join(t.TempDir(), "forum.txt")
	if err := os.WriteFile(path, []byte("ann@example.org\nbob@example.org\ncid@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return st, newService(st, breaches.Deps{Importer: im}), im, path
}

// TestImport: pcmt import's job follows the upload's rule: made with a
// log entry naming the file and the job, the command line its actor. A
// re-run that takes up the unfinished job makes no job and no entry.
func TestImport(t *testing.T) {
	st, s, im, path := commandLine(t)
	ctx := context.Background()
	job, err := s.Import(ctx, path, listOptions)
	if err != nil {
		t.Fatal(err)
	}
	if job.Origin != "cli" || job.CreatedBy != 0 || job.FileName != "forum.txt" || !job.CreatedAt.Equal(clock) {
		t.Fatalf("job %+v", job)
	}
	logged(t, st, breaches.Actor{}, store.EventImportUploaded, "forum.txt (48 bytes), job "+strconv.FormatInt(job.ID, 10))

	again, err := s.Import(ctx, path, listOptions)
	if err != nil || again.ID != job.ID {
		t.Fatalf("the re-run found job %d (%v), want %d", again.ID, err, job.ID)
	}
	if n := len(log(t, st)); n != 1 {
		t.Fatalf("%d log entries after the re-run, want 1", n)
	}
	if sum, err := im.Run(ctx, job, nil); err != nil || sum.Records != 3 {
		t.Fatalf("run: %+v, %v", sum, err)
	}
}

// TestImportIsLogged: with the log refusing the entry, pcmt import makes
// no job.
func TestImportIsLogged(t *testing.T) {
	st, s, _, path := commandLine(t)
	storetest.RefuseActivity(t, st, store.EventImportUploaded)
	if _, err := s.Import(context.Background(), path, listOptions); err == nil {
		t.Fatal("the import succeeded with its log entry refused")
	}
	if n := jobCount(t, st); n != 0 {
		t.Fatalf("%d jobs made unlogged", n)
	}
}

// syncs is a Service over a fresh database whose syncs fetch from a local
// range API of a few ranges, for the pages (Syncs) and the command line
// (Syncer).
func syncs(t *testing.T) (*store.Store, *breaches.Service, *breach.Syncer, string) {
	t.Helper()
	const space = 16
	st := newStore(t)
	up, err := hibptest.Start("127.0.0.1:0", hibptest.Generate(hibp.ModeSHA1, 3, space, 10), hibptest.Generate(hibp.ModeNTLM, 4, space, 10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: up.URL, UserAgent: "pcmt-test", Connections: 2,
		Attempts: 2, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	syncer := &breach.Syncer{Store: st, Fetcher: f, Log: quiet, Workers: 2, Batch: 4, Every: 10 * time.Millisecond, Space: space}
	jobs := breach.NewSyncJobs(syncer, quiet)
	t.Cleanup(jobs.Close)
	return st, newService(st, breaches.Deps{Syncs: jobs, Syncer: syncer}), syncer, up.URL
}

// TestStartSync: an admin's sync is begun with a log entry naming the
// corpus, upstream and the job, and runs in the background.
func TestStartSync(t *testing.T) {
	st, s, _, url := syncs(t)
	ctx := context.Background()
	job, err := s.StartSync(ctx, admin, store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if job.Origin != "web" || job.CreatedBy != admin.ID || !job.IsSync() {
		t.Fatalf("job %+v", job)
	}
	logged(t, st, admin, store.EventCorpusSync, "sha1 corpus from "+url+", job "+strconv.FormatInt(job.ID, 10))
}

// TestStartSyncIsLogged: with the log refusing the entry, no sync job is
// begun, and so none runs.
func TestStartSyncIsLogged(t *testing.T) {
	st, s, _, _ := syncs(t)
	storetest.RefuseActivity(t, st, store.EventCorpusSync)
	if _, err := s.StartSync(context.Background(), admin, store.PwnedSHA1); err == nil {
		t.Fatal("the sync started with its log entry refused")
	}
	if n := jobCount(t, st); n != 0 {
		t.Fatalf("%d jobs begun unlogged", n)
	}
}

// TestBeginSync: pcmt corpus sync follows the button's rule, the command
// line its actor; a run taken up again is logged again, as the button's
// is.
func TestBeginSync(t *testing.T) {
	st, s, syncer, url := syncs(t)
	ctx := context.Background()
	job, resumed, err := s.BeginSync(ctx, store.PwnedNTLM)
	if err != nil || resumed {
		t.Fatalf("begin: resumed %v, %v", resumed, err)
	}
	if job.Origin != "cli" || job.CreatedBy != 0 || !job.IsSync() {
		t.Fatalf("job %+v", job)
	}
	detail := "ntlm corpus from " + url + ", job " + strconv.FormatInt(job.ID, 10)
	logged(t, st, breaches.Actor{}, store.EventCorpusSync, detail)

	// The process ended before running it: the next one takes it up.
	later := &breach.Syncer{Store: st, Fetcher: syncer.Fetcher, Log: quiet, Workers: 2, Batch: 4, Every: 10 * time.Millisecond, Space: syncer.Space}
	again, resumed, err := newService(st, breaches.Deps{Syncer: later}).BeginSync(ctx, store.PwnedNTLM)
	if err != nil || !resumed || again.ID != job.ID {
		t.Fatalf("taken up again: job %d (want %d), resumed %v, %v", again.ID, job.ID, resumed, err)
	}
	if acts := log(t, st); len(acts) != 2 || acts[0].Event != store.EventCorpusSync || acts[0].Detail != detail {
		t.Fatalf("log after the second run: %+v", acts)
	}
	if _, err := later.Run(ctx, again, nil); err != nil {
		t.Fatal(err)
	}
}

// TestBeginSyncIsLogged: with the log refusing the entry, pcmt corpus sync
// begins no job.
func TestBeginSyncIsLogged(t *testing.T) {
	st, s, _, _ := syncs(t)
	storetest.RefuseActivity(t, st, store.EventCorpusSync)
	if _, _, err := s.BeginSync(context.Background(), store.PwnedSHA1); err == nil {
		t.Fatal("the sync began with its log entry refused")
	}
	if n := jobCount(t, st); n != 0 {
		t.Fatalf("%d jobs begun unlogged", n)
	}
}
