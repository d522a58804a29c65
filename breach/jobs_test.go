package breach_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// waitJob polls the store until the job has ended or the deadline passes.
func waitJob(t *testing.T, s *store.Store, id int64) store.ImportJob {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := s.ImportJobByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s", id, j.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func upload(t *testing.T, dir, content string) breach.Upload {
	t.Helper()
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return breach.Upload{Path: f.Name(), Name: "list.txt", Size: int64(len(content))}
}

func TestJobsRunUploadsAndRemoveThem(t *testing.T) {
	im, s := newImporter(t)
	t.Chdir(t.TempDir())
	jobs, err := breach.NewJobs(im, "pcmt.db.uploads", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Close()
	if !filepath.IsAbs(jobs.Dir()) {
		t.Fatalf("uploads directory %q is relative", jobs.Dir())
	}
	u := upload(t, jobs.Dir(), "a@example.com\nb@example.com\n")
	id, err := jobs.Submit(context.Background(), u, breach.Options{Name: "Uploaded"})
	if err != nil {
		t.Fatal(err)
	}
	if j := waitJob(t, s, id); j.State != store.JobDone || j.Records != 2 || j.Origin != "web" {
		t.Fatalf("job: %+v", j)
	}
	if _, err := os.Stat(u.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the upload stayed after its job: %v", err)
	}
	if b, err := s.BreachByName(context.Background(), "Uploaded"); err != nil || b.Emails != 2 {
		t.Fatalf("breach: %+v, %v", b, err)
	}
}

// A restart finds web jobs left unfinished: those whose upload is still
// there run again, the others fail with a reason. None stays running.
func TestJobsResumeOrFailWhatARestartInterrupted(t *testing.T) {
	im, s := newImporter(t)
	ctx := context.Background()
	dir := t.TempDir()
	kept := upload(t, dir, "c@example.com\n")
	lost := upload(t, dir, "d@example.com\n")
	var ids []int64
	for _, u := range []breach.Upload{kept, lost} {
		j, err := im.NewJob(ctx, u.Path, u.Name, "web", 0, breach.Options{Name: filepath.Base(u.Path)})
		if err != nil {
			t.Fatal(err)
		}
		// The process died while it ran.
		if err := s.StartImportJob(ctx, j.ID, "lines", 0, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	os.Remove(lost.Path)
	// Two command-line imports: one whose process is gone, one still
	// running (this test's own process).
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	var cliJobs []int64
	for _, pid := range []int{dead.Process.Pid, os.Getpid()} {
		u := upload(t, t.TempDir(), "e@example.com\n")
		j, err := im.NewJob(ctx, u.Path, u.Name, "cli", 0, breach.Options{Name: filepath.Base(u.Path)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.StartImportJob(ctx, j.ID, "lines", pid, host, time.Now()); err != nil {
			t.Fatal(err)
		}
		cliJobs = append(cliJobs, j.ID)
	}

	jobs, err := breach.NewJobs(im, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Close()
	if err := jobs.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if j := waitJob(t, s, ids[0]); j.State != store.JobDone {
		t.Fatalf("job with its upload: %+v", j)
	}
	if j := waitJob(t, s, ids[1]); j.State != store.JobFailed || j.Error == "" {
		t.Fatalf("job without its upload: %+v", j)
	}
	if j, _ := s.ImportJobByID(ctx, cliJobs[0]); j.State != store.JobFailed || !strings.Contains(j.Error, "run the same command again") {
		t.Fatalf("command-line job of a dead process: %+v", j)
	}
	left, _ := s.UnfinishedImportJobs(ctx)
	if len(left) != 1 || left[0].ID != cliJobs[1] {
		t.Fatalf("unfinished jobs %+v, want only the live command-line one", left)
	}
}
