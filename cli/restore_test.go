package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// browser is an HTTP client with cookies that submits forms the way a
// browser without JavaScript does, CSRF token included.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// get returns the status and body of path, and the page's final path.
func (b *browser) get(path string) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Request.URL.Path
}

// submit posts form to path with the CSRF token of the page at path and
// returns where the browser lands and what it shows.
func (b *browser) submit(path string, form url.Values) (string, string) {
	b.t.Helper()
	_, page, _ := b.get(path)
	m := csrfMeta.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%.400s", path, page)
	}
	form.Set("csrf", m[1])
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("POST %s: %d\n%.600s", path, resp.StatusCode, body)
	}
	return resp.Request.URL.Path, string(body)
}

// copyFile copies src to a new file dst with mode perm.
func copyFile(t *testing.T, src, dst string, perm os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, perm); err != nil {
		t.Fatal(err)
	}
}

// removeDatabase deletes the database at path as a lost disk would, with
// its WAL and shared-memory files.
func removeDatabase(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// restoreFixture is what an instance holds before it is lost: a user who
// signed in, chose her password (which made her key) and watches her
// address, a breach that holds it, and a sealed setting.
type restoreFixture struct {
	password string // ann's own
	sealed   []byte // the HIBP key, sealed
}

const (
	annEmail    = "ann@example.org"
	annPassword = "ann's first passphrase"
	hibpKey     = "hibp-key-0123456789"
)

func seedInstance(t *testing.T, cfg config.Config) restoreFixture {
	t.Helper()
	f := restoreFixture{password: "ann chose this passphrase"}
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path}
	if code, _, stderr := runCLIWithStdin(t, env, annPassword+"\n", "user", "create", "--username", "ann", "--email", annEmail, "--password-stdin"); code != 0 {
		t.Fatalf("user create: %s", stderr)
	}
	if _, _, err := serveOnce(t, cfg, func(base string) {
		b := newBrowser(t, base)
		if landed, _ := b.submit("/signin", url.Values{"username": {"ann"}, "password": {annPassword}}); landed != "/settings/password" {
			t.Fatalf("first sign-in landed on %s", landed)
		}
		b.submit("/settings/password", url.Values{"current_password": {annPassword},
			"new_password": {f.password}, "new_password_confirm": {f.password}})
		if _, body := b.submit("/watchlist", url.Values{"value": {annEmail}}); !strings.Contains(body, "Now watching it") {
			t.Fatalf("watchlist add:\n%.800s", body)
		}
	}); err != nil {
		t.Fatal(err)
	}
	importEmails(t, cfg, "Leak One", annEmail, "someone@example.org")

	keys, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if f.sealed, err = keys.Seal("hibp.api_key", []byte(hibpKey)); err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, cfg.Database.Path)
	if err := st.Auditor(keys.Audit).PutSetting(context.Background(), "hibp.api_key", f.sealed,
		&store.Activity{Event: store.EventHIBPKeyChanged, Detail: "set"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// importEmails imports a breach of e-mail addresses with pcmt import.
func importEmails(t *testing.T, cfg config.Config, title string, emails ...string) {
	t.Helper()
	list := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(list, []byte(strings.Join(emails, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path}
	name := strings.ReplaceAll(title, " ", "")
	if code, _, stderr := runCLI(t, env, "import", "--kind", "emails", "--name", name, "--title", title, list); code != 0 {
		t.Fatalf("import %s: %s", title, stderr)
	}
}

// checkRestored proves the instance at cfg is the one seedInstance made:
// ann signs in with her own password and reads her watchlist (her key
// survived), the breach that holds her address is found, a new breach with
// it raises an alert (the watchlist digests still match under the secrets
// file's MonitorSecret), the sealed setting opens and the activity log
// verifies.
func checkRestored(t *testing.T, cfg config.Config, f restoreFixture) {
	t.Helper()
	console, _, err := serveOnce(t, cfg, func(base string) {
		b := newBrowser(t, base)
		if landed, _ := b.submit("/signin", url.Values{"username": {"ann"}, "password": {f.password}}); landed != "/dashboard" {
			t.Fatalf("ann's sign-in landed on %s", landed)
		}
		_, body, _ := b.get("/watchlist")
		if !strings.Contains(body, annEmail) || !strings.Contains(body, "Leak One") {
			t.Fatalf("the restored watchlist does not show the address and its breach:\n%.2000s", body)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if console != "" {
		t.Fatalf("the restored instance made a new admin:\n%s", console)
	}

	importEmails(t, cfg, "Leak Two", "other@example.org", strings.ToUpper(annEmail))
	st := storetest.Open(t, cfg.Database.Path)
	ctx := context.Background()
	ann, err := st.UserByLogin(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := st.AlertsFor(ctx, ann.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, a := range alerts {
		titles[a.Breach.Title] = true
	}
	if !titles["Leak One"] || !titles["Leak Two"] {
		t.Fatalf("ann's alerts after the restore: %v", titles)
	}

	keys, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := st.Setting(ctx, "hibp.api_key")
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := keys.Open("hibp.api_key", sealed); err != nil || string(plain) != hibpKey {
		t.Fatalf("the sealed setting: %q %v", plain, err)
	}
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path}
	if code, out, stderr := runCLI(t, env, "audit", "verify"); code != 0 || !strings.Contains(out, "activity log intact") {
		t.Fatalf("audit verify: exit %d %s%s", code, out, stderr)
	}
	if n, err := st.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("%d users (only ann), %v", n, err)
	}
}

// TestBackupRestoresOnANewMachine: the backup, put in place on another
// machine with the secrets file, is the same instance.
func TestBackupRestoresOnANewMachine(t *testing.T) {
	oldDir := t.TempDir()
	cfg := firstRunConfig(t, oldDir)
	f := seedInstance(t, cfg)

	copyPath := filepath.Join(t.TempDir(), "pcmt-backup.db")
	env := map[string]string{"PCMT_DATABASE_PATH": cfg.Database.Path}
	if code, _, stderr := runCLI(t, env, "backup", copyPath); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	removeDatabase(t, cfg.Database.Path)

	newDir := t.TempDir()
	restored := firstRunConfig(t, newDir)
	copyFile(t, copyPath, restored.Database.Path, 0o600)
	copyFile(t, cfg.SecretsPath(), restored.SecretsPath(), 0o600)
	checkRestored(t, restored, f)
}
