package cli

import (
	"os"
	"strings"
	"testing"
)

// TestUserPasswordBreached: the command line refuses a password of the
// instance's breach data, as the pages do, when creating an account and
// when resetting one.
func TestUserPasswordBreached(t *testing.T) {
	env := userEnv(t)
	if err := os.WriteFile("leak.txt", []byte("a breached passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, env, "import", "--kind", "passwords", "--name", "Leak", "leak.txt"); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}

	code, _, stderr := runCLIWithStdin(t, env, "a breached passphrase\n",
		"user", "create", "--username", "carol", "--email", "carol@example.org", "--password-stdin")
	if code != 1 || !strings.Contains(stderr, "password refused: This password appears in a known data breach") {
		t.Fatalf("create with a breached password: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLIWithStdin(t, env, "long enough passphrase\n",
		"user", "create", "--username", "carol", "--email", "carol@example.org", "--password-stdin"); code != 0 {
		t.Fatalf("create carol: exit %d %q", code, stderr)
	}

	code, _, stderr = runCLIWithStdin(t, env, "a breached passphrase\n", "user", "passwd", "--password-stdin", "carol")
	if code != 1 || !strings.Contains(stderr, "password refused: This password appears in a known data breach") {
		t.Fatalf("passwd to a breached password: exit %d %q", code, stderr)
	}
	if carol := mustUser(t, "carol"); !hasPassword(t, carol, "long enough passphrase") {
		t.Fatal("a refused reset changed the password")
	}
}
