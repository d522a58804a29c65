package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"pcmt/store/storetest"
)

// TestBackupWhileWriting: a backup taken while another connection commits
// is one consistent snapshot: intact, fully migrated, holding every row
// committed before it started and, of the rows written meanwhile, a
// gap-free prefix.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pcmt.db")
	env := map[string]string{"PCMT_DATABASE_PATH": db}
	if code, _, stderr := runCLI(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	w := storetest.Open(t, db)
	ctx := context.Background()
	// Some bulk first, so that the copy takes a while.
	bulk := strings.Repeat("x", 64<<10)
	for i := range 64 {
		if err := putSetting(ctx, w, fmt.Sprintf("bulk%02d", i), []byte(bulk)); err != nil {
			t.Fatal(err)
		}
	}

	var committed atomic.Int64
	stop, warm, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := putSetting(ctx, w, fmt.Sprintf("row%06d", i), []byte(bulk[:1024])); err != nil {
				t.Error(err)
				return
			}
			committed.Store(int64(i + 1))
			if i == 49 {
				close(warm)
			}
		}
	}()
	select {
	case <-warm:
	case <-done:
		t.Fatal("the writer stopped")
	}
	before := committed.Load()
	out := filepath.Join(dir, "copy.db")
	code, stdout, stderr := runCLI(t, env, "backup", out)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	after := committed.Load()
	if after <= before {
		t.Fatalf("the writer did not run during the backup (%d, %d)", before, after)
	}
	abs, _ := filepath.Abs(out)
	if !strings.Contains(stdout, abs) || !strings.Contains(stdout, db+".secrets") || !strings.Contains(stdout, "separately") {
		t.Fatalf("the output must say where the copy went and name the secrets file:\n%s", stdout)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %04o, want 0600", info.Mode().Perm())
	}

	raw, err := sql.Open("sqlite3", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	rows, err := raw.Query(`SELECT key FROM settings WHERE key LIKE 'row%' ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := int64(0)
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("row%06d", n); key != want {
			t.Fatalf("the copy holds %s where %s belongs: not one snapshot", key, want)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < before || n > after {
		t.Fatalf("the copy holds %d rows; %d were committed before the backup began and %d by its end", n, before, after)
	}

	cp := storetest.Open(t, out)
	if pending, err := cp.Pending(ctx); err != nil || pending {
		t.Fatalf("the copy's migrations: pending %v, %v", pending, err)
	}
	if v, err := cp.Setting(ctx, "bulk63"); err != nil || string(v) != bulk {
		t.Fatalf("bulk row: %d bytes, %v", len(v), err)
	}
}

// TestBackupRefusals: an existing file is never overwritten, and the
// command line is checked before anything is opened.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"PCMT_DATABASE_PATH": "pcmt.db"}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no file", []string{"backup"}, 2, "usage: pcmt backup"},
		{"two files", []string{"backup", "a.db", "b.db"}, 2, "usage: pcmt backup"},
		{"no database", []string{"backup", "a.db"}, 1, "database pcmt.db does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.stderr)
			}
		})
	}
	if _, err := os.Stat("a.db"); !os.IsNotExist(err) {
		t.Fatal("a refused backup left a file")
	}

	if code, _, stderr := runCLI(t, env, "migrate", "up"); code != 0 {
		t.Fatal(stderr)
	}
	if err := os.WriteFile("taken.db", []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, env, "backup", "taken.db")
	if code != 1 || !strings.Contains(stderr, "taken.db already exists") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("backup over an existing file: exit %d, stderr %q", code, stderr)
	}
	if b, err := os.ReadFile("taken.db"); err != nil || string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q %v", b, err)
	}
	if code, _, stderr := runCLI(t, env, "backup", filepath.Join("no-such-dir", "x.db")); code != 1 || !strings.Contains(stderr, "no-such-dir") {
		t.Fatalf("backup into a missing directory: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "backup", "fresh.db"); code != 0 {
		t.Fatalf("backup: exit %d, %q", code, stderr)
	}
}
