package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pcmt/store"
)

// seedDB makes a migrated database, lets fill write into it, closes it and
// returns its path, for the app to start on.
func seedDB(t *testing.T, fill func(ctx context.Context, st *store.Store)) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pcmt.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fill(ctx, st)
	return path
}

// seedBreach imports one breach holding digests of kind, in any order.
func seedBreach(t *testing.T, st *store.Store, b store.Breach, kind store.RecordKind, digests ...[]byte) {
	t.Helper()
	digests = slices.Clone(digests)
	slices.SortFunc(digests, bytes.Compare)
	if _, err := st.ImportBreaches(context.Background(), []store.NewBreach{{Breach: b,
		Records: []store.DigestSource{store.DigestSlice(kind, digests)}}}, store.ImportOptions{Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// seedCorpus writes a Pwned Passwords corpus of mode: digests and their
// counts, in any order.
func seedCorpus(t *testing.T, st *store.Store, mode store.PwnedMode, counts map[string]uint64) {
	t.Helper()
	ctx := context.Background()
	digests := make([]string, 0, len(counts))
	for d := range counts {
		digests = append(digests, d)
	}
	slices.Sort(digests)
	w, err := st.NewPwnedWriter(mode)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range digests {
		if err := w.Add(ctx, []byte(d), counts[d]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
