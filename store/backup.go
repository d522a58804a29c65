package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the database to path, which must not
// exist, while the database stays in use: VACUUM INTO reads one snapshot
// through SQLite, the WAL's committed pages included, and writers carry on
// meanwhile. The copy is created with mode 0600, like the database.
//
// It runs on a connection of its own: the read pool is query_only, which
// refuses VACUUM INTO, and the writer would hold off every write for as
// long as the copy takes.
func (s *Store) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	// Created empty and private first, exclusively: an existing file is
	// refused without being touched, and VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: backup: %s already exists: %w", path, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f.Close()
	if err := s.vacuumInto(ctx, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := syncFile(abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

// vacuumInto copies the database into the empty file at abs (an absolute
// path, so SQLite never reads it as a URI).
func (s *Store) vacuumInto(ctx context.Context, abs string) error {
	db := sql.OpenDB(&connector{dsn: dsn(s.path, url.Values{
		"mode":          {"ro"},
		"_busy_timeout": {strconv.Itoa(busyTimeoutMS)},
	}), driver: &sqlite3.SQLiteDriver{}})
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err := db.ExecContext(ctx, `VACUUM INTO ?`, abs)
	return err
}

// syncFile makes the file at path and its directory entry durable: VACUUM
// INTO writes the copy without syncing it.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
