package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"pcmt/account"
	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// runCLIWithStdin is runCLI with stdin holding input.
func runCLIWithStdin(t *testing.T, env map[string]string, input string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), args, IO{
		Stdin:  strings.NewReader(input),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	code := ExitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

// userEnv points the commands at a database in a fresh directory.
func userEnv(t *testing.T) map[string]string {
	t.Chdir(t.TempDir())
	return map[string]string{"PCMT_DATABASE_PATH": "u.db"}
}

// mustUser reads a user straight from the database.
func mustUser(t *testing.T, login string) *store.User {
	t.Helper()
	st := storetest.Open(t, "u.db")
	u, err := st.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func hasPassword(t *testing.T, u *store.User, password string) bool {
	t.Helper()
	_, err := account.NewHasher().Verify(context.Background(), u.PasswordHash, password)
	return err == nil
}

var printedPassword = regexp.MustCompile(`(?m)^  password: (\S+)$`)

func TestUserCreateListPasswd(t *testing.T) {
	env := userEnv(t)
	ctx := context.Background()

	code, out, stderr := runCLIWithStdin(t, env, "correct horse battery staple\n",
		"user", "create", "--username", "alice", "--email", " Alice@Example.org ", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created user alice") || printedPassword.MatchString(out) {
		t.Fatalf("create alice: exit %d\n%s%s", code, out, stderr)
	}
	alice := mustUser(t, "alice")
	if alice.Email != "alice@example.org" || alice.Role != store.RoleUser || !alice.MustChangePassword || alice.HasVault() {
		t.Fatalf("alice: %+v", alice)
	}
	if !hasPassword(t, alice, "correct horse battery staple") {
		t.Fatal("alice's password is not the one given on stdin (only the newline is trimmed)")
	}

	// Without --password-stdin a password is generated and printed once.
	code, out, stderr = runCLI(t, env, "user", "create", "--admin", "--username", "bob", "--email", "bob@example.org")
	m := printedPassword.FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "created admin bob") {
		t.Fatalf("create bob: exit %d\n%s%s", code, out, stderr)
	}
	bob := mustUser(t, "bob")
	if bob.Role != store.RoleAdmin || !bob.MustChangePassword || !hasPassword(t, bob, m[1]) {
		t.Fatalf("bob: %+v, printed password %q", bob, m[1])
	}

	code, out, _ = runCLI(t, env, "user", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	for i, want := range [][]string{
		{"alice", "alice@example.org", "user", "active, must change password", "never"},
		{"bob", "bob@example.org", "admin", "active, must change password", "never"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("list row %d %q lacks %q", i+1, lines[i+1], w)
			}
		}
	}

	// Alice sets her own password (and so gets a key) and signs in twice;
	// then an admin resets it from the command line.
	st := storetest.Open(t, "u.db")
	cfg := config.Config{}
	cfg.Database.Path = "u.db"
	keys, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Auditor(keys.Audit).ChangeOwnPassword(ctx, alice.ID, store.OwnPasswordChange{
		Change: store.PasswordChange{
			Hash: alice.PasswordHash, AgeRecipient: "age1placeholder", WrappedIdentity: []byte("wrapped"),
		},
		Changed: &store.Activity{Event: store.EventPasswordChanged}, Describe: noDetail,
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, id := range []string{"one", "two"} {
		sess := &store.Session{IDHash: bytes.Repeat([]byte(id[:1]), 32), UserID: alice.ID,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr = runCLIWithStdin(t, env, "a brand new passphrase\r\n", "user", "passwd", "--password-stdin", "alice@example.org")
	if code != 0 || !strings.Contains(out, "2 session(s) signed out") || !strings.Contains(stderr, "now unreadable") {
		t.Fatalf("passwd: exit %d\n%s%s", code, out, stderr)
	}
	alice = mustUser(t, "alice")
	if !alice.MustChangePassword || alice.HasVault() || alice.WrappedIdentity != nil || !hasPassword(t, alice, "a brand new passphrase") {
		t.Fatalf("after reset: %+v", alice)
	}
	if left, err := st.Sessions(ctx, alice.ID); err != nil || len(left) != 0 {
		t.Fatalf("sessions after reset: %v %v", left, err)
	}

	// Bob has no key: a generated reset prints the password and no warning.
	code, out, stderr = runCLI(t, env, "user", "passwd", "bob")
	m = printedPassword.FindStringSubmatch(out)
	if code != 0 || m == nil || stderr != "" || !hasPassword(t, mustUser(t, "bob"), m[1]) {
		t.Fatalf("passwd bob: exit %d\n%s%s", code, out, stderr)
	}

	events, err := st.UserActivity(ctx, alice.ID, 10)
	if err != nil || len(events) != 3 || events[0].Event != store.EventPasswordReset ||
		events[1].Event != store.EventPasswordChanged || events[2].Event != store.EventUserCreated {
		t.Fatalf("alice's activity: %+v %v", events, err)
	}
	if events[0].ActorID != 0 || !strings.Contains(events[0].Detail, "own key discarded") {
		t.Fatalf("reset event: %+v", events[0])
	}
}

func TestUserRefusals(t *testing.T) {
	env := userEnv(t)
	create := func(input, username, email string) (int, string) {
		t.Helper()
		code, _, stderr := runCLIWithStdin(t, env, input, "user", "create", "--username", username, "--email", email, "--password-stdin")
		if code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Fatalf("a failure must be one line on stderr, got %q", stderr)
		}
		return code, stderr
	}

	for _, tc := range []struct{ name, input, want string }{
		{"short", "short\n", "password refused: Use at least 8 characters"},
		{"common", "password123\n", "password refused: This password is among the most common"},
		{"the username", "carol-carol-carol\n", "password refused: The password may not contain your username"},
		{"empty stdin", "", "no password on stdin"},
		{"only a newline", "\n", "no password on stdin"},
	} {
		if code, stderr := create(tc.input, "carol", "carol@example.org"); code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", tc.name, code, stderr, tc.want)
		}
	}
	// A refused password is refused before the database is touched.
	if _, err := os.Stat("u.db"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused passwords left a database behind: %v", err)
	}

	if code, stderr := create("long enough passphrase\n", "carol", "carol@example.org"); code != 0 {
		t.Fatalf("create carol: exit %d %q", code, stderr)
	}
	if code, stderr := create("long enough passphrase\n", "Carol", "other@example.org"); code != 1 || !strings.Contains(stderr, "username Carol is taken") {
		t.Errorf("duplicate username: exit %d %q", code, stderr)
	}
	if code, stderr := create("long enough passphrase\n", "carla", "CAROL@example.org"); code != 1 || !strings.Contains(stderr, "e-mail carol@example.org exists") {
		t.Errorf("duplicate e-mail: exit %d %q", code, stderr)
	}

	code, _, stderr := runCLIWithStdin(t, env, "short\n", "user", "passwd", "--password-stdin", "carol")
	if code != 1 || !strings.Contains(stderr, "password refused") || !hasPassword(t, mustUser(t, "carol"), "long enough passphrase") {
		t.Errorf("weak reset: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, env, "user", "passwd", "nobody"); code != 1 || !strings.Contains(stderr, `no user "nobody"`) {
		t.Errorf("unknown user: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, map[string]string{"PCMT_DATABASE_PATH": "typo.db"}, "user", "list"); code != 1 || !strings.Contains(stderr, "typo.db does not exist") {
		t.Errorf("list on a missing database: exit %d %q", code, stderr)
	}
}

func TestUserUsageErrors(t *testing.T) {
	env := userEnv(t)
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"user"}, "usage: pcmt user create"},
		{[]string{"user", "frob"}, `unknown action "frob"`},
		{[]string{"user", "create", "--username", "dave"}, "usage: pcmt user create"},
		{[]string{"user", "create", "--email", "dave@example.org"}, "usage: pcmt user create"},
		{[]string{"user", "create", "--username", "dave", "--email", "dave@example.org", "extra"}, "usage: pcmt user create"},
		{[]string{"user", "create", "--username", "da", "--email", "dave@example.org"}, `--username "da"`},
		{[]string{"user", "create", "--username", "dave", "--email", "dave@localhost"}, `--email "dave@localhost"`},
		{[]string{"user", "create", "--colour"}, "flag provided but not defined: -colour"},
		{[]string{"user", "list", "--admin"}, "--admin does not apply to list"},
		{[]string{"user", "passwd", "--username", "x", "dave"}, "--username does not apply to passwd"},
		{[]string{"user", "passwd"}, "usage: pcmt user passwd"},
		{[]string{"user", "passwd", "a", "b"}, "usage: pcmt user passwd"},
		{[]string{"user", "list", "everyone"}, "usage: pcmt user list"},
	} {
		code, _, stderr := runCLIWithStdin(t, env, "long enough passphrase\n", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.stderr)
		}
	}
	// Flags may come before the action, as with every command.
	if code, out, stderr := runCLI(t, env, "user", "--database", "u.db", "create", "--username", "dave", "--email", "dave@example.org"); code != 0 {
		t.Fatalf("flags before the action: exit %d\n%s%s", code, out, stderr)
	}
}
