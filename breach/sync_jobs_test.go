package breach_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// TestSyncJobsRunInTheBackgroundAndResume: an admin's sync runs in the
// background while a second is refused; one interrupted by a shutdown is
// taken up at the next start and ends with exactly upstream's corpus.
func TestSyncJobsRunInTheBackgroundAndResume(t *testing.T) {
	w := newSyncWorld(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w.up.SetDelay(20 * time.Millisecond)
	jobs := breach.NewSyncJobs(w.syncer, log)
	ctx := context.Background()
	job, err := jobs.Start(ctx, 0, store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	var running *store.SyncRunningError
	if _, err := jobs.Start(ctx, 0, store.PwnedNTLM); !errors.As(err, &running) || running.Job.ID != job.ID {
		t.Fatalf("a second sync while one runs: %v", err)
	}
	// Shut down once part of the corpus is in.
	for {
		j, err := w.st.ImportJobByID(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.BytesDone > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	jobs.Close()
	j, _ := w.st.ImportJobByID(ctx, job.ID)
	if j.State != store.JobRunning || j.BytesDone == 0 || j.BytesDone == syncSpace {
		t.Fatalf("after shutdown the job is %s with %d ranges done", j.State, j.BytesDone)
	}
	w.up.SetDelay(0)

	// The next start, as serve makes it: the upload jobs resume first and
	// leave the sync alone, then a new process's syncer takes it up.
	uploads, err := breach.NewJobs(&breach.Importer{Store: w.st}, t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer uploads.Close()
	if err := uploads.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if j, _ := w.st.ImportJobByID(ctx, job.ID); j.State != store.JobRunning {
		t.Fatalf("the upload jobs' resume made the sync %s: %s", j.State, j.Error)
	}
	next := &breach.Syncer{Store: w.st, Fetcher: w.syncer.Fetcher, Workers: 4, Batch: 16, Space: syncSpace}
	jobs = breach.NewSyncJobs(next, log)
	defer jobs.Close()
	if err := jobs.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	j = waitJob(t, w.st, job.ID)
	if j.State != store.JobDone || j.BytesDone != syncSpace || j.RangesFetched != syncSpace {
		t.Fatalf("resumed job %+v", j)
	}
	w.same(w.sha1)
	if all, _ := w.st.ImportJobs(ctx, 10); len(all) != 1 {
		t.Fatalf("%d jobs, want the one resumed", len(all))
	}
}
