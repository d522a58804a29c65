package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func TestPwnedCheckpointsMoveWithCommits(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	job, err := s.CreateImportJob(ctx, store.ImportJob{Origin: "cli", Path: "/c.txt", FileName: "c.txt",
		FileSize: 1, Fingerprint: "fp", Options: "{}"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BeginPwnedImport(ctx, job, store.PwnedSHA1, "sorted", false); err != nil {
		t.Fatal(err)
	}
	ds, _ := randomCorpus(rand.New(rand.NewPCG(1, 2)), store.PwnedSHA1, 3000, 64)
	w, err := s.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	w.Batch = 8
	w.Checkpoint(job)
	var lastCommitted int64 = -1
	for i, d := range ds {
		w.Mark(store.Position{Offset: int64(i) * 50, Line: int64(i)})
		if err := w.Add(ctx, d, 1); err != nil {
			t.Fatal(err)
		}
		j, _ := s.ImportJobByID(ctx, job)
		if j.CkPrefix != lastCommitted {
			// A commit happened: it covers every range before the open
			// one, and reading resumes at the open range's first digest.
			if j.CkPrefix >= int64(store.PwnedPrefix(d)) {
				t.Fatalf("checkpoint %05X covers the open range %05X", j.CkPrefix, store.PwnedPrefix(d))
			}
			first := i
			for first > 0 && store.PwnedPrefix(ds[first-1]) == store.PwnedPrefix(d) {
				first--
			}
			if j.CkLine != int64(first) || j.CkOffset != int64(first)*50 {
				t.Fatalf("checkpoint at line %d offset %d, want line %d", j.CkLine, j.CkOffset, first)
			}
			st, _ := s.PwnedStats(ctx, store.PwnedSHA1)
			if st.Hashes != j.Records || j.Records != int64(first) {
				t.Fatalf("checkpoint says %d records, the table holds %d, %d read before the open range", j.Records, st.Hashes, first)
			}
			lastCommitted = j.CkPrefix
		}
	}
	if lastCommitted < 0 {
		t.Fatal("no batch was committed")
	}
	w.Mark(store.Position{Offset: int64(len(ds)) * 50, Line: int64(len(ds))})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	j, _ := s.ImportJobByID(ctx, job)
	if j.Records != int64(len(ds)) || j.CkLine != int64(len(ds)) {
		t.Fatalf("final checkpoint: %+v", j)
	}

	// A second corpus is refused without replace; replace starts over.
	job2, _ := s.CreateImportJob(ctx, store.ImportJob{Origin: "cli", Path: "/d.txt", FileName: "d.txt",
		FileSize: 1, Fingerprint: "fp", Options: "{}"}, time.Now())
	if err := s.BeginPwnedImport(ctx, job2, store.PwnedSHA1, "sorted", false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second corpus: %v, want ErrConflict", err)
	}
	if err := s.BeginPwnedImport(ctx, job2, store.PwnedNTLM, "sorted", false); err != nil {
		t.Fatalf("the other mode is free: %v", err)
	}
	if err := s.BeginPwnedImport(ctx, job2, store.PwnedSHA1, "sorted", true); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.PwnedStats(ctx, store.PwnedSHA1); st.Hashes != 0 {
		t.Fatalf("replace kept %d hashes", st.Hashes)
	}

	// Resume drops the ranges already committed.
	w, _ = s.NewPwnedWriter(store.PwnedSHA1)
	w.Resume(int64(store.PwnedPrefix(ds[len(ds)/2])))
	for _, d := range ds {
		if err := w.Add(ctx, d, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, d := range ds {
		if store.PwnedPrefix(d) > store.PwnedPrefix(ds[len(ds)/2]) {
			want++
		}
	}
	if st, _ := s.PwnedStats(ctx, store.PwnedSHA1); st.Hashes != int64(want) {
		t.Fatalf("resumed writer stored %d hashes, want %d", st.Hashes, want)
	}
}
