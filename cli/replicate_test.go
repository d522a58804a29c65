package cli

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/replica"
	"pcmt/store"
)

// replicatorCommand starts the test binary as `pcmt replicate`.
func replicatorCommand() *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+`=["replicate"]`)
	return cmd
}

// replicatedConfig is firstRunConfig replicating to a directory.
func replicatedConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := firstRunConfig(t, t.TempDir())
	cfg.Replica.Enabled = true
	cfg.Replica.Path = filepath.Join(t.TempDir(), "replica")
	cfg.Replica.SyncInterval = config.Duration(100 * time.Millisecond)
	cfg.Logger.Level = "debug"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// serveReplicated starts serve with replication and returns the
// replication and a function that stops serve and returns its error.
func serveReplicated(t *testing.T, cfg config.Config, logs *lockedBuffer) (*replica.Replicator, func() error) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	repls := make(chan *replica.Replicator, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeWithOptions(ctx, cfg, log, ServeOptions{
			Started:     func(u string) { started <- u },
			Replicator:  replicatorCommand,
			Replicating: func(r *replica.Replicator) { repls <- r },
		})
	}()
	select {
	case <-started:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(90 * time.Second):
			t.Fatal("serve did not stop")
			return nil
		}
	}
	return <-repls, stop
}

// waitReplicated waits until the replica holds everything the database had
// committed when it was called, asking the replicating process for its
// position; it gives up after a minute.
func waitReplicated(t *testing.T, r *replica.Replicator) replica.Position {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, err := r.Position(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.Position(ctx)
		if err != nil {
			t.Fatalf("waiting for the replica to reach %d: %v", want.Local, err)
		}
		if p.Replica >= want.Local {
			return p
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the replica stayed at %d, the database is at %d", p.Replica, want.Local)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// settingKeys lists the keys of the settings table holding prefix.
func settingKeys(t *testing.T, db *sql.DB, prefix string) map[string]bool {
	t.Helper()
	rows, err := db.Query(`SELECT key FROM settings WHERE key LIKE ? || '%'`, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestReplicationLosesNoCommittedRow: serve streams the database to a
// directory replica while rows are committed, in many small transactions
// and in large ones that make Litestream checkpoint; once the replica has
// them, and after more rows that only the final sync at shutdown sends,
// the database is lost, and pcmt restore brings back every row.
func TestReplicationLosesNoCommittedRow(t *testing.T) {
	cfg := replicatedConfig(t)
	var logs lockedBuffer
	repl, stop := serveReplicated(t, cfg, &logs)
	ctx := context.Background()
	// Replication under way (its first snapshot taken) before any row.
	first := waitReplicated(t, repl)

	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	value := []byte(strings.Repeat("v", 512))
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path,
		"PCMT_REPLICA_ENABLED": "true", "PCMT_REPLICA_PATH": cfg.Replica.Path}
	// Rounds of small transactions and a large one (an import of 50,000
	// addresses: past Litestream's checkpoint threshold of 1,000 pages),
	// each round waited for.
	p := first
	for round := range 3 {
		for i := range 20 {
			if err := putSetting(ctx, st, fmt.Sprintf("early%d-%02d", round, i), value); err != nil {
				t.Fatal(err)
			}
		}
		var list strings.Builder
		for i := range 50000 {
			fmt.Fprintf(&list, "r%d-%05d@example.org\n", round, i)
		}
		file := filepath.Join(t.TempDir(), "list.txt")
		if err := os.WriteFile(file, []byte(list.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runCLI(t, env, "import", "--kind", "emails", "--name", fmt.Sprintf("Big%d", round), file); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
		next := waitReplicated(t, repl)
		if next.Replica <= p.Replica {
			t.Fatalf("round %d: the replica did not move from %d", round, p.Replica)
		}
		p = next
	}
	t.Logf("replica from Litestream transaction %d to %d", first.Replica, p.Replica)

	// Committed after the wait: only the final sync at shutdown sends these.
	for i := range 10 {
		if err := putSetting(ctx, st, fmt.Sprintf("late%03d", i), value); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "replication stopped") {
		t.Fatalf("the replicating process did not stop cleanly:\n%s", logs.String())
	}

	removeDatabase(t, cfg.Database.Path)
	code, out, stderr := runCLI(t, env, "restore", cfg.Database.Path)
	if code != 0 || !strings.Contains(out, "restored "+cfg.Replica.Path) || !strings.Contains(out, cfg.Database.Path+".secrets") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, stderr)
	}
	info, err := os.Stat(cfg.Database.Path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("restored file: %v %v", info, err)
	}

	db, err := sql.Open("sqlite3", "file:"+cfg.Database.Path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	keys := settingKeys(t, db, "")
	for round := range 3 {
		for i := range 20 {
			if k := fmt.Sprintf("early%d-%02d", round, i); !keys[k] {
				t.Errorf("row %s is lost", k)
			}
		}
	}
	for i := range 10 {
		if k := fmt.Sprintf("late%03d", i); !keys[k] {
			t.Errorf("row %s is lost", k)
		}
	}
	var records int
	if err := db.QueryRow(`SELECT count(*) FROM breach_records`).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if records != 150000 {
		t.Errorf("%d breach records, want 150000", records)
	}
	var admins int
	if err := db.QueryRow(`SELECT count(*) FROM users WHERE username = 'admin'`).Scan(&admins); err != nil || admins != 1 {
		t.Errorf("the first admin: %d, %v", admins, err)
	}
	db.Close()

	// Served again, the restored database replicates on to the same
	// replica: a later restore has the old rows and the new one.
	logs = lockedBuffer{}
	repl, stop = serveReplicated(t, cfg, &logs)
	st, err = store.Open(ctx, cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := putSetting(ctx, st, "after-the-restore", value); err != nil {
		t.Fatal(err)
	}
	waitReplicated(t, repl)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	again := filepath.Join(t.TempDir(), "again.db")
	if code, _, stderr := runCLI(t, env, "restore", again); code != 0 {
		t.Fatal(stderr)
	}
	db2, err := sql.Open("sqlite3", "file:"+again+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	keys = settingKeys(t, db2, "")
	if !keys["after-the-restore"] || !keys["early0-00"] || !keys["late009"] {
		t.Fatalf("the second restore lacks rows: %d keys", len(keys))
	}
}

// TestReplicationResumesAfterARestart: a restart of serve, and a command
// that writes while serve is stopped, cost no new snapshot: replication
// goes on from where it was, and the replica gets the command's writes.
func TestReplicationResumesAfterARestart(t *testing.T) {
	cfg := replicatedConfig(t)
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path,
		"PCMT_REPLICA_ENABLED": "true", "PCMT_REPLICA_PATH": cfg.Replica.Path}
	var first lockedBuffer
	repl, stop := serveReplicated(t, cfg, &first)
	waitReplicated(t, repl)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "snap=true") {
		t.Fatalf("the first start took no snapshot: is the test looking for the right line?\n%s", first.String())
	}

	// A write while serve, and so replication, is stopped.
	if code, _, stderr := runCLIWithStdin(t, env, "a passphrase for bob\n", "user", "create", "--username", "bob", "--email", "bob@example.org", "--password-stdin"); code != 0 {
		t.Fatal(stderr)
	}

	var second lockedBuffer
	repl, stop = serveReplicated(t, cfg, &second)
	waitReplicated(t, repl)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(second.String(), "snap=true") {
		t.Fatalf("the restart took a new snapshot:\n%s", second.String())
	}

	restored := filepath.Join(t.TempDir(), "restored.db")
	if code, _, stderr := runCLI(t, env, "restore", restored); code != 0 {
		t.Fatal(stderr)
	}
	db, err := sql.Open("sqlite3", "file:"+restored+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM users WHERE username IN ('admin', 'bob')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("users in the replica: %d, %v", n, err)
	}
}

// TestRestoreRefusals: the command line is checked first, an existing file
// (or a WAL left of one) is never replaced, and an empty replica says so.
func TestRestoreRefusals(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	empty := filepath.Join(dir, "empty-replica")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("taken.db", []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("stale.db-wal", []byte("old frames"), 0o600); err != nil {
		t.Fatal(err)
	}
	configured := map[string]string{"PCMT_REPLICA_PATH": empty}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no file", configured, []string{"restore"}, 2, "usage: pcmt restore"},
		{"two files", configured, []string{"restore", "a.db", "b.db"}, 2, "usage: pcmt restore"},
		{"no replica", nil, []string{"restore", "a.db"}, 2, "no replica"},
		{"bad replica URL", nil, []string{"restore", "--replica", "gs://bucket/x", "a.db"}, 2, "want s3://bucket/path or file:///directory"},
		{"bad configured URL", map[string]string{"PCMT_REPLICA_URL": "s3:///x"}, []string{"restore", "a.db"}, 1, "Replica.URL"},
		{"empty replica", configured, []string{"restore", "a.db"}, 1, "holds no backup"},
		{"empty replica by flag", nil, []string{"restore", "--replica", "file://" + empty, "a.db"}, 1, "holds no backup"},
		{"existing file", configured, []string{"restore", "taken.db"}, 1, "taken.db already exists"},
		{"stale WAL", configured, []string{"restore", "stale.db"}, 1, "stale.db-wal already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.stderr)
			}
			if code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("a failure must be one line on stderr, got %q", stderr)
			}
		})
	}
	if b, err := os.ReadFile("taken.db"); err != nil || string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q %v", b, err)
	}
	for _, f := range []string{"a.db", "stale.db"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("a refused restore left %s", f)
		}
	}
	if leftovers, _ := filepath.Glob(".pcmt-restore-*"); len(leftovers) > 0 {
		t.Fatalf("a refused restore left %v", leftovers)
	}
}
