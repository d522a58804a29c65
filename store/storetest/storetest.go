// Package storetest gives tests a fresh, migrated SQLite file of their own.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the Pwned Passwords digest
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pcmt/store"
)

// New opens a new database in t.TempDir(), applies every migration and closes
// it when the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	s := Open(t, filepath.Join(t.TempDir(), "pcmt.db"))
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

// Open opens the database at path without migrating it, closing it when the
// test ends.
func Open(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	return s
}

// ImportRecords imports one breach b holding the given digests of kind and
// returns its id.
func ImportRecords(t testing.TB, st *store.Store, b store.Breach, kind store.RecordKind, digests ...[]byte) int64 {
	t.Helper()
	digests = slices.Clone(digests)
	slices.SortFunc(digests, bytes.Compare)
	src := store.DigestSlice(kind, digests)
	ids, err := st.ImportBreaches(context.Background(),
		[]store.NewBreach{{Breach: b, Records: []store.DigestSource{src}}}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// WriteCorpus stores a Pwned Passwords SHA-1 corpus of the given passwords
// and counts.
func WriteCorpus(t testing.TB, st *store.Store, counts map[string]uint64) {
	t.Helper()
	type entry struct {
		d []byte
		n uint64
	}
	var es []entry
	for p, n := range counts {
		d := sha1.Sum([]byte(p)) //nolint:gosec // the Pwned Passwords digest
		es = append(es, entry{d[:], n})
	}
	slices.SortFunc(es, func(a, b entry) int { return bytes.Compare(a.d, b.d) })
	ctx := context.Background()
	w, err := st.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := w.Add(ctx, e.d, e.n); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
