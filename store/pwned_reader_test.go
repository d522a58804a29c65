package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

// Many goroutines reading ranges at once, each through one of the range
// reader's connections, see every range whole (run with -race).
func TestPwnedRangeConcurrentReads(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ds, want := randomCorpus(rand.New(rand.NewPCG(11, 12)), store.PwnedSHA1, 4000, 32)
	importCorpus(t, s, store.PwnedSHA1, 0, ds, want)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				d := ds[(g*200+i*7919)%len(ds)]
				err := s.WithPwnedRange(ctx, store.PwnedSHA1, store.PwnedPrefix(d), func(r store.PwnedRange) error {
					c, ok := r.Find(d[2:])
					if !ok || c != want[string(d)] {
						return errors.New("a stored digest is missing from its range")
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A range read sees what was written before it, and fn's own error comes
// back as it is.
func TestPwnedRangeSeesNewWritesAndReturnsFnsError(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ds, want := randomCorpus(rand.New(rand.NewPCG(13, 14)), store.PwnedSHA1, 100, 1)
	p := store.PwnedPrefix(ds[0])
	if r, err := s.PwnedRange(ctx, store.PwnedSHA1, p); err != nil || r.N != 0 {
		t.Fatalf("before the import: %d entries, %v", r.N, err)
	}
	importCorpus(t, s, store.PwnedSHA1, 0, ds, want)
	r, err := s.PwnedRange(ctx, store.PwnedSHA1, p)
	if err != nil || r.N != 100 || !bytes.Equal(r.Key(0), ds[0][2:]) {
		t.Fatalf("after the import: %d entries, %v", r.N, err)
	}
	mine := errors.New("mine")
	if err := s.WithPwnedRange(ctx, store.PwnedSHA1, p, func(store.PwnedRange) error { return mine }); err != mine {
		t.Fatalf("fn's error came back as %v", err)
	}
}

// Before migration there is no table to read: a clear error, and the next
// read after migrating works.
func TestPwnedRangeBeforeMigration(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, filepath.Join(t.TempDir(), "pcmt.db"))
	_, err := s.PwnedRange(ctx, store.PwnedSHA1, 1)
	if err == nil || !strings.Contains(err.Error(), "pwned_ranges") {
		t.Fatalf("unmigrated database: %v", err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := s.PwnedRange(ctx, store.PwnedSHA1, 1); err != nil || r.N != 0 {
		t.Fatalf("after migrating: %+v, %v", r, err)
	}
}

func TestPwnedRangeAfterClose(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "pcmt.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PwnedRange(ctx, store.PwnedSHA1, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PwnedRange(ctx, store.PwnedSHA1, 1); err == nil {
		t.Fatal("a closed store read a range")
	}
}

// Another process's import (here a second Store on the same file, as
// `pcmt import` is) shows within rangeTxnAge, and idle range readers let go
// of their snapshot so that a checkpoint can reset the WAL.
func TestPwnedRangeSnapshotsEnd(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pcmt.db")
	s := storetest.Open(t, path)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ds, want := randomCorpus(rand.New(rand.NewPCG(15, 16)), store.PwnedSHA1, 50, 1)
	p := store.PwnedPrefix(ds[0])
	if r, err := s.PwnedRange(ctx, store.PwnedSHA1, p); err != nil || r.N != 0 {
		t.Fatalf("before the import: %d entries, %v", r.N, err)
	}
	importCorpus(t, storetest.Open(t, path), store.PwnedSHA1, 0, ds, want)
	deadline := time.Now().Add(3 * time.Second)
	for {
		r, err := s.PwnedRange(ctx, store.PwnedSHA1, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.N == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("another process's import never showed")
		}
		time.Sleep(50 * time.Millisecond)
	}

	waitForWALReset(t, path)
}

// waitForWALReset checkpoints the database at path until the WAL can be
// reset, which takes every reader letting go of its snapshot.
func waitForWALReset(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var busy, log, done int
		if err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a range reader still holds its snapshot")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A panic in fn leaves the reader usable and holding no snapshot.
func TestPwnedRangeSurvivesAPanicInFn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pcmt.db")
	s := storetest.Open(t, path)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ds, want := randomCorpus(rand.New(rand.NewPCG(17, 18)), store.PwnedSHA1, 10, 1)
	importCorpus(t, s, store.PwnedSHA1, 0, ds, want)
	p := store.PwnedPrefix(ds[0])
	func() {
		defer func() { _ = recover() }()
		_ = s.WithPwnedRange(ctx, store.PwnedSHA1, p, func(store.PwnedRange) error { panic("in fn") })
	}()
	waitForWALReset(t, path)
	if r, err := s.PwnedRange(ctx, store.PwnedSHA1, p); err != nil || r.N != 10 {
		t.Fatalf("after a panic: %d entries, %v", r.N, err)
	}
}
