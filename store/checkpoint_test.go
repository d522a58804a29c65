package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A replicated database leaves the checkpoints to Litestream: the writer's
// own wait for ten times as many pages.
func TestReplicatedWriterLeavesCheckpointsToLitestream(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opts Options
		want int
	}{
		{Options{}, 1000},
		{Options{Replicated: true}, 10000},
	} {
		st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "pcmt.db"), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.w.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("%+v: wal_autocheckpoint = %d, want %d", tc.opts, n, tc.want)
		}
	}
}

// A replicated database keeps its WAL file when the last connection
// closes, so that Litestream finds its place in it at its next start.
func TestReplicatedWriterKeepsTheWAL(t *testing.T) {
	ctx := context.Background()
	for _, replicated := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "pcmt.db")
		st, err := OpenWith(ctx, path, Options{Replicated: replicated})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := st.Auditor(make([]byte, 32)).PutSetting(ctx, "k", []byte("v"), &Activity{Event: EventHIBPKeyChanged}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = os.Stat(path + "-wal")
		if kept := err == nil; kept != replicated {
			t.Errorf("replicated %v: WAL file kept %v (%v)", replicated, kept, err)
		}
	}
}
