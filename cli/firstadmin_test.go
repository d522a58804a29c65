package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// lockedBuffer is a buffer the app's goroutines and the test may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// firstRunConfig is the default configuration on a free port and a database
// in dir.
func firstRunConfig(t *testing.T, dir string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Host = "127.0.0.1"
	cfg.Database.Path = filepath.Join(dir, "pcmt.db")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Port = 0
	return cfg
}

// serveOnce starts the app, calls use with its URL when it listens, and
// stops it. It returns what went to the console, to the log, and the error
// of a start that failed.
func serveOnce(t *testing.T, cfg config.Config, use func(base string)) (console, logged string, err error) {
	t.Helper()
	var out, logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- ServeWith(ctx, cfg, log, &out, func(u string) { urls <- u }) }()
	select {
	case base := <-urls:
		use(base)
	case err := <-done:
		return out.String(), logs.String(), err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	return out.String(), logs.String(), err
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// signIn signs in through the real form and returns where it lands.
func signIn(t *testing.T, base, username, password string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on /signin:\n%.400s", body)
	}
	resp, err = client.PostForm(base+"/signin", url.Values{"csrf": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Request.URL.Path
}

// TestFirstAdmin: the first start of an empty database creates the admin
// with a generated password that reaches the console once and the log never,
// and that must be changed at first sign-in; the next start creates no other.
func TestFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	cfg := firstRunConfig(t, dir)
	console, logged, err := serveOnce(t, cfg, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	m := printedPassword.FindStringSubmatch(console)
	if m == nil || !strings.Contains(console, "created the admin account") || !strings.Contains(console, "username: admin") ||
		!strings.Contains(console, "change it at first sign-in") {
		t.Fatalf("console:\n%s", console)
	}
	password := m[1]
	if len(password) < 20 {
		t.Fatalf("generated password %q is short", password)
	}
	if strings.Contains(logged, password) || !strings.Contains(logged, "created the first admin account") {
		t.Fatalf("the log must say an admin was made, and never its password:\n%s", logged)
	}

	st := storetest.Open(t, cfg.Database.Path)
	admin, err := st.UserByLogin(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if admin.Role != store.RoleAdmin || !admin.MustChangePassword || admin.Email != "admin@localhost" || !hasPassword(t, admin, password) {
		t.Fatalf("admin: %+v", admin)
	}
	events, err := st.UserActivity(context.Background(), admin.ID, 10)
	if err != nil || len(events) != 1 || events[0].Event != store.EventUserCreated || events[0].ActorID != 0 {
		t.Fatalf("activity: %+v %v", events, err)
	}

	// Second start: no new admin, nothing on the console; the printed
	// password signs in, straight to the forced password change.
	var landed string
	console, logged, err = serveOnce(t, cfg, func(base string) {
		landed = signIn(t, base, "admin", password)
	})
	if err != nil || console != "" {
		t.Fatalf("second start: %v, console %q", err, console)
	}
	if landed != "/settings/password" {
		t.Fatalf("the first sign-in landed on %s, want /settings/password\nlog:\n%s", landed, logged)
	}
	if n, err := st.CountUsers(context.Background()); err != nil || n != 1 {
		t.Fatalf("%d users after the second start (%v)", n, err)
	}
}

func TestFirstAdminConfiguredPassword(t *testing.T) {
	cfg := firstRunConfig(t, t.TempDir())
	cfg.Init.AdminPassword = "short1"
	console, logged, err := serveOnce(t, cfg, func(string) { t.Fatal("started with a refused Init.AdminPassword") })
	if err == nil || !strings.Contains(err.Error(), "Init.AdminPassword") || strings.Contains(err.Error(), "short1") {
		t.Fatalf("start with a short Init.AdminPassword: %v", err)
	}
	if strings.Contains(console+logged, "short1") {
		t.Fatal("the refused password was shown")
	}
	st := storetest.Open(t, cfg.Database.Path)
	if n, err := st.CountUsers(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d users after a refused start (%v)", n, err)
	}

	cfg.Init.AdminPassword = "a configured passphrase"
	console, logged, err = serveOnce(t, cfg, func(string) {})
	if err != nil || !strings.Contains(console, "password: the one set in Init.AdminPassword") {
		t.Fatalf("start: %v, console:\n%s", err, console)
	}
	if strings.Contains(console+logged, cfg.Init.AdminPassword) {
		t.Fatal("the configured password was shown")
	}
	admin, err := st.UserByLogin(context.Background(), "admin")
	if err != nil || !admin.MustChangePassword || !hasPassword(t, admin, cfg.Init.AdminPassword) {
		t.Fatalf("admin: %+v %v", admin, err)
	}
}

func TestNoFirstAdmin(t *testing.T) {
	cfg := firstRunConfig(t, t.TempDir())
	cfg.Init.CreateAdmin = false
	console, _, err := serveOnce(t, cfg, func(string) {})
	if err != nil || console != "" {
		t.Fatalf("start: %v, console %q", err, console)
	}
	st := storetest.Open(t, cfg.Database.Path)
	if n, err := st.CountUsers(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d users with CreateAdmin off (%v)", n, err)
	}
}
