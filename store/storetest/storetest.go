// Package storetest gives tests a fresh, migrated SQLite file of their own.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

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
