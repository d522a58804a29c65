package cli

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
)

// auditedDatabase makes a database in the working directory whose activity
// log holds one row per user created from the command line.
func auditedDatabase(t *testing.T, env map[string]string, users int) {
	t.Helper()
	for i := range users {
		name := fmt.Sprintf("user%d", i+1)
		code, out, stderr := runCLI(t, env, "user", "create", "--username", name, "--email", name+"@example.org")
		if code != 0 {
			t.Fatalf("create %s: exit %d\n%s%s", name, code, out, stderr)
		}
	}
}

// tamper runs statements on the database behind the store's back, after
// dropping the triggers that keep the log append-only: what someone with the
// file could do.
func tamper(t *testing.T, path string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	statements = append([]string{"DROP TRIGGER activity_no_update", "DROP TRIGGER activity_no_delete"}, statements...)
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func verifyFails(t *testing.T, env map[string]string, row string) {
	t.Helper()
	code, out, stderr := runCLI(t, env, "audit", "verify")
	if code != 1 || !strings.Contains(stderr, "activity log: row "+row+": ") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("verify after tampering: exit %d, stdout %q, stderr %q; want exit 1 naming row %s on one line", code, out, stderr, row)
	}
}

func TestAuditVerify(t *testing.T) {
	env := userEnv(t)
	auditedDatabase(t, env, 3)
	if code, out, stderr := runCLI(t, env, "audit", "verify"); code != 0 || out != "activity log intact: 3 rows\n" {
		t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
	}

	// The triggers alone refuse a change.
	db, err := sql.Open("sqlite3", "u.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE activity SET detail = 'x' WHERE id = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update through the triggers: %v", err)
	}
	db.Close()

	tamper(t, "u.db", `UPDATE activity SET detail = 'nothing happened' WHERE id = 2`)
	verifyFails(t, env, "2")
}

func TestAuditVerifyDeletedRow(t *testing.T) {
	env := userEnv(t)
	auditedDatabase(t, env, 3)
	tamper(t, "u.db", `DELETE FROM activity WHERE id = 2`)
	verifyFails(t, env, "3")
}

func TestAuditVerifyOtherKey(t *testing.T) {
	env := userEnv(t)
	auditedDatabase(t, env, 2)
	// A log rewritten under another key (or checked with the wrong secrets
	// file) fails at its first row.
	if err := os.Rename("u.db.secrets", "kept.secrets"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, env, "audit", "verify")
	if code != 1 || !strings.Contains(stderr, "u.db.secrets is missing") {
		t.Fatalf("verify without the secrets file: exit %d %q", code, stderr)
	}
	if _, err := os.Stat("u.db.secrets"); err == nil {
		t.Fatal("verify generated a new secrets file")
	}
	secrets := "AuditSecret = \"" + strings.Repeat("A", 43) + "=\"\n"
	if err := os.WriteFile("u.db.secrets", []byte(secrets), 0o600); err != nil {
		t.Fatal(err)
	}
	verifyFails(t, env, "1")
}

func TestAuditVerifyUsage(t *testing.T) {
	env := userEnv(t)
	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify", "now"}} {
		if code, _, stderr := runCLI(t, env, args...); code != 2 || !strings.Contains(stderr, "usage: pcmt audit") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, env, "audit", "verify"); code != 1 || !strings.Contains(stderr, "u.db does not exist") {
		t.Errorf("verify without a database: exit %d %q", code, stderr)
	}
	if _, err := os.Stat("u.db"); err == nil {
		t.Error("verify created a database")
	}
}
