package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"pcmt/store"
	"pcmt/store/storetest"
)

func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, filepath.Join(t.TempDir(), "m.db"))

	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(st) || applied == 0 {
		t.Fatalf("applied %d of %d migrations", applied, len(st))
	}
	schemaUp := schema(t, s.Path())

	for range st {
		ok, err := s.MigrateDown(ctx)
		if err != nil || !ok {
			t.Fatalf("migrate down: %v, %v", ok, err)
		}
	}
	if ok, err := s.MigrateDown(ctx); err != nil || ok {
		t.Fatalf("migrate down past zero: %v, %v", ok, err)
	}
	if left := schema(t, s.Path()); left != "" {
		t.Fatalf("tables left after every down migration:\n%s", left)
	}
	if pending, err := s.Pending(ctx); err != nil || !pending {
		t.Fatalf("pending after down: %v, %v", pending, err)
	}

	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if again := schema(t, s.Path()); again != schemaUp {
		t.Fatalf("schema differs after up → down → up:\n%s\nvs\n%s", schemaUp, again)
	}
}

// schema is the DDL of every table but goose's own, in a stable order.
func schema(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT sql FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' AND name != 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var ddl sql.NullString
		if err := rows.Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		out += ddl.String + "\n"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPragmas(t *testing.T) {
	s := storetest.New(t)
	db, err := sql.Open("sqlite3", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode = %q, want wal", mode)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if _, err := s.Setting(ctx, "hibp.key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing setting: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"one", "two"} {
		if err := audit(s).PutSetting(ctx, "hibp.key", []byte(v), entry(store.EventHIBPKeyChanged)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Setting(ctx, "hibp.key")
		if err != nil || string(got) != v {
			t.Fatalf("setting = %q, %v; want %q", got, err, v)
		}
	}
	if err := audit(s).DeleteSetting(ctx, "hibp.key", entry(store.EventHIBPKeyChanged)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setting(ctx, "hibp.key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted setting: %v, want ErrNotFound", err)
	}
}

// TestConcurrentWrites is the measured reason for _txlock=immediate: many
// goroutines writing at once all succeed instead of failing "locked".
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			if _, err := s.Setting(ctx, "n"); err != nil && !errors.Is(err, store.ErrNotFound) {
				errs <- err
			}
			errs <- audit(s).PutSetting(ctx, "n", []byte{byte(i)}, entry(store.EventHIBPKeyChanged))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
