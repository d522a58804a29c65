package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/store/storetest"
)

func syncRange(t *testing.T, prefix uint32, digests ...[]byte) *store.PwnedSyncRange {
	t.Helper()
	r, err := store.NewPwnedSyncRange(store.PwnedSHA1, prefix)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range digests {
		if err := r.Add(d, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	r.ETag = `"v1"`
	return r
}

func digestIn(prefix uint32, last byte) []byte {
	d := make([]byte, 20)
	d[0], d[1], d[2] = byte(prefix>>12), byte(prefix>>4), byte(prefix<<4)
	d[19] = last
	return d
}

// TestPwnedSyncReplacesRanges: a synced range replaces the stored row, it
// is not added to; a range found empty deletes the row; the validators
// are kept with the job; an import of the corpus forgets them.
func TestPwnedSyncReplacesRanges(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	job, _, err := s.BeginPwnedSync(ctx, store.PwnedSyncClaim{Origin: "cli", Mode: store.PwnedSHA1, URL: "http://up",
		Name: "test", Ranges: 16}, func(store.ImportJob) bool { return false }, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	commit := func(rs ...*store.PwnedSyncRange) store.PwnedSyncCounts {
		t.Helper()
		c, err := s.CommitPwnedSync(ctx, job.ID, store.PwnedSHA1, rs, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	commit(syncRange(t, 1, digestIn(1, 1), digestIn(1, 2)), syncRange(t, 2, digestIn(2, 1)))
	c := commit(syncRange(t, 1, digestIn(1, 1), digestIn(1, 2)), syncRange(t, 2), syncRange(t, 3, digestIn(3, 9)))
	if c != (store.PwnedSyncCounts{Fetched: 3, Changed: 2, Hashes: 1}) {
		t.Fatalf("second commit %+v: range 1 is the same, 2 emptied, 3 new", c)
	}
	if n, _ := s.PwnedCount(ctx, store.PwnedSHA1, digestIn(1, 2)); n != 2 {
		t.Fatalf("count %d after the same range twice, want 2 (replaced, not added)", n)
	}
	if st, _ := s.PwnedStats(ctx, store.PwnedSHA1); st.Ranges != 2 || st.Hashes != 3 {
		t.Fatalf("stats %+v", st)
	}
	j, _ := s.ImportJobByID(ctx, job.ID)
	if j.BytesDone != 5 || j.RangesFetched != 5 || j.RangesChanged != 4 || j.Records != 4 {
		t.Fatalf("job counters %+v", j)
	}
	states, err := s.PwnedSyncStates(ctx, store.PwnedSHA1, 0, 16)
	if err != nil || len(states) != 3 || states[0].ETag != `"v1"` || states[0].Job != job.ID {
		t.Fatalf("states %+v, %v", states, err)
	}

	r, _ := store.NewPwnedSyncRange(store.PwnedSHA1, 4)
	if err := r.Add(digestIn(4, 2), 1); err != nil {
		t.Fatal(err)
	}
	for _, d := range [][]byte{digestIn(4, 2), digestIn(4, 1), digestIn(5, 3)} {
		if err := r.Add(d, 1); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("adding %X: %v", d, err)
		}
	}

	imp, err := s.CreateImportJob(ctx, store.ImportJob{Origin: "cli", Path: "/dump.txt", FileName: "dump.txt",
		FileSize: 1, Fingerprint: "fp", Options: "{}"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BeginPwnedImport(ctx, imp, store.PwnedSHA1, "sorted", false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an import over a synced corpus without replace: %v", err)
	}
	if err := s.BeginPwnedImport(ctx, imp, store.PwnedSHA1, "sorted", true); err != nil {
		t.Fatal(err)
	}
	if states, _ := s.PwnedSyncStates(ctx, store.PwnedSHA1, 0, 16); len(states) != 0 {
		t.Fatalf("the import left %d validators of the synced ranges", len(states))
	}
}
