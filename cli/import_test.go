package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/monitor"
	"pcmt/store"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pcmt.db")
	list := filepath.Join(dir, "forum.txt")
	if err := os.WriteFile(list, []byte("ann@example.org\nbob@example.org\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(pw, []byte("hunter2\nletmein\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PCMT_DATABASE_PATH": db}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no file", env, []string{"import"}, 2, "", "usage: pcmt import"},
		{"bad kind", env, []string{"import", "--kind", "cats", list}, 2, "", "--kind"},
		{"bad format", env, []string{"import", "--format", "csv", list}, 2, "", "--format"},
		{"bad date", env, []string{"import", "--date", "yesterday", list}, 2, "", "--date"},
		{"name for two files", env, []string{"import", "--name", "X", list, pw}, 2, "", "one at a time"},
		{"missing file", env, []string{"import", filepath.Join(dir, "nope.txt")}, 1, "", "nope.txt"},
		{"over the size limit", map[string]string{"PCMT_DATABASE_PATH": db, "PCMT_IMPORT_MAXSIZE": "1KiB"},
			[]string{"import", filepath.Join(dir, "big.txt")}, 1, "", "Import.MaxSize"},
		{"unclear kind without a terminal", env, []string{"import", pw}, 1, "", "--kind"},
		{"e-mails inferred", env, []string{"import", list}, 0, "forum.txt: imported 1 breach(es): 2 records, 1 skipped, 0 invalid", "a list of emails"},
		{"the same name again", env, []string{"import", list}, 1, "", "--replace"},
		{"replaced", env, []string{"import", "--replace", list}, 0, "2 records", ""},
		{"passwords by flag", env, []string{"import", "--kind", "passwords", "--name", "Passwords", pw}, 0, "2 records", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "over the size limit" {
				if err := os.WriteFile(filepath.Join(dir, "big.txt"), bytes.Repeat([]byte("x@example.org\n"), 100), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tc.code, stdout, tc.stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestProgressOutput(t *testing.T) {
	p := breach.Progress{Phase: "reading", Bytes: 512 << 20, Total: 1 << 30, Records: 1_000_000, Elapsed: 2 * time.Second}
	if got := progressLine(p); got != "reading 512.0 MiB / 1.0 GiB, 1000000 records, 500000 records/s, ETA 2s" {
		t.Fatalf("progress line %q", got)
	}
	var tty bytes.Buffer
	bar := newProgressBar(&tty, "f", true)
	bar.update(p)
	bar.done()
	if out := tty.String(); !strings.HasPrefix(out, "\r\033[K[===============               ] reading") || !strings.HasSuffix(out, "\r\033[K") {
		t.Fatalf("terminal bar %q", out)
	}
	var plain bytes.Buffer
	bar = newProgressBar(&plain, "f", false)
	bar.update(p)
	bar.update(p) // within plainEvery: no second line
	if out := plain.String(); out != "f: "+progressLine(p)+"\n" {
		t.Fatalf("plain progress %q", out)
	}
}

// TestImportMatchesWatchlists: a command-line import alerts the users who
// watch a value it holds, keyed by the secrets file serve uses (made by the
// import when it comes first).
func TestImportMatchesWatchlists(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pcmt.db")
	env := map[string]string{"PCMT_DATABASE_PATH": db}
	// A first import makes the database and the secrets file.
	first := filepath.Join(dir, "first.txt")
	if err := os.WriteFile(first, []byte("someone@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, env, "import", "--kind", "emails", first); code != 0 {
		t.Fatalf("first import: %d %s", code, stderr)
	}
	cfg := config.Default()
	cfg.Database.Path = db
	keys, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := monitor.New(st, keys.Monitor, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "ann", Email: "ann@example.org", PasswordHash: "$argon2id$x", Role: store.RoleUser}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	v := m.Watch("tracked.person@example.org")
	if _, err := st.AddWatchItem(ctx, store.WatchItem{UserID: u.ID, Kind: v.Kind, Ciphertext: []byte("sealed"), Digest: v.Digest}, time.Now()); err != nil {
		t.Fatal(err)
	}

	list := filepath.Join(dir, "leak.txt")
	if err := os.WriteFile(list, []byte("tracked.person@example.org\nother@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, env, "import", "--kind", "emails", list); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	alerts, err := st.AlertsFor(ctx, u.ID, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Breach.Name != "leak" {
		t.Fatalf("alerts %+v, %v", alerts, err)
	}
	if n, _ := st.PendingMailCount(ctx); n != 1 {
		t.Fatalf("%d mails queued", n)
	}
}
