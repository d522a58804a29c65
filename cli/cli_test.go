package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs args with env as the whole environment and returns the exit
// status and what went to stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), args, IO{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	code := ExitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitCodes(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, nil, 2, "no command given"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"serve", "--colour"}, 2, "flag provided but not defined: -colour"},
		{"serve extra argument", nil, []string{"serve", "now"}, 2, `unexpected argument "now"`},
		{"migrate without action", nil, []string{"migrate"}, 2, "usage: pcmt migrate"},
		{"migrate bad action", nil, []string{"migrate", "sideways"}, 2, `unknown action "sideways"`},
		{"config without check", nil, []string{"config"}, 2, "usage: pcmt config"},
		{"bad config value", map[string]string{"PCMT_PORT": "70000"}, []string{"config", "check"}, 1, `Port = "70000": not a port`},
		{"missing config file", nil, []string{"config", "check", "--config", "nope.toml"}, 1, "nope.toml"},
		{"version", nil, []string{"version"}, 0, ""},
		{"help", nil, []string{"help"}, 0, ""},
		{"serve help", nil, []string{"serve", "-h"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("stderr %q does not say %q", stderr, tc.stderr)
			}
			if code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("a failure must be one line on stderr, got %q", stderr)
			}
		})
	}
}

func TestFlagsAroundTheAction(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, stderr := runCLI(t, map[string]string{"PCMT_PORT": "4000"}, "config", "--port", "4100", "--database", "x.db", "check")
	if code != 0 || !strings.Contains(out, "localhost:4100") || !strings.Contains(out, "x.db") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("config.toml", []byte("Port = 8080\n[HTTP]\nTimeout = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, nil, "config", "check")
	if code != 1 || !strings.Contains(stderr, "config.toml") || !strings.Contains(stderr, "Timeout") {
		t.Fatalf("a wrong type must name the file and key: exit %d %q", code, stderr)
	}
	if err := os.WriteFile("config.toml", []byte("Port = 8080\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, nil, "config", "check")
	if code != 0 || !strings.Contains(out, "file config.toml") || !strings.Contains(out, "http://localhost:8080") ||
		!strings.Contains(out, "replica:  off") {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, out, _ = runCLI(t, map[string]string{"PCMT_REPLICA_ENABLED": "true", "PCMT_REPLICA_URL": "s3://bucket/pcmt",
		"PCMT_REPLICA_ACCESSKEYID": "AKIAEXAMPLE", "PCMT_REPLICA_SECRETACCESSKEY": "do-not-print"}, "config", "check")
	if code != 0 || !strings.Contains(out, "replica:  s3://bucket/pcmt, changes sent every 1s") || strings.Contains(out, "do-not-print") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "pcmt.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("config check must not create the database")
	}
}

func TestMigrateCommands(t *testing.T) {
	t.Chdir(t.TempDir())
	env := map[string]string{"PCMT_DATABASE_PATH": "m.db"}
	steps := []struct {
		args []string
		out  string
	}{
		{[]string{"migrate", "status"}, "pending"},
		{[]string{"migrate", "up"}, "migration(s) to m.db"},
		{[]string{"migrate", "status"}, "applied"},
		{[]string{"migrate", "up"}, "applied 0 migration(s)"},
		{[]string{"migrate", "down"}, "rolled back the newest migration"},
		{[]string{"migrate", "up"}, "applied 1 migration(s)"},
		{[]string{"migrate", "status"}, "applied"},
	}
	for _, s := range steps {
		code, out, stderr := runCLI(t, env, s.args...)
		if code != 0 || !strings.Contains(out, s.out) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %q", s.args, code, out, stderr, s.out)
		}
	}
}

func TestVersion(t *testing.T) {
	_, out, _ := runCLI(t, nil, "version")
	if !strings.HasPrefix(out, "pcmt ") || len(strings.TrimSpace(out)) < len("pcmt x") {
		t.Fatalf("version: %q", out)
	}
}
