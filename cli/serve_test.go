package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/config"
)

// TestServeOnDefaults is the quick start: on the built-in defaults (but a
// free port) serve creates pcmt.db beside it, migrates, answers /healthz and
// the styled landing page, and stops cleanly when asked.
func TestServeOnDefaults(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cfg, src, err := config.Load("", func(string) (string, bool) { return "", false })
	if err != nil || src.File != "" {
		t.Fatalf("defaults: %v %+v", err, src)
	}
	cfg.Host, cfg.Port = "127.0.0.1", 0
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), func(u string) { urls <- u })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	code, body := get("/")
	if code != 200 || !strings.Contains(body, `rel="stylesheet" href="/static/app.`) {
		t.Fatalf("landing %d:\n%.400s", code, body)
	}
	for _, f := range []string{"pcmt.db", "pcmt.db.secrets"} {
		info, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", f, info.Mode().Perm())
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after a clean stop", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}

	// The generated secrets never reach the log.
	saved, err := config.LoadSecretsFile(cfg.SecretsPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{saved.CookieAuthSecret, saved.CookieEncrSecret, saved.AuditSecret} {
		if secret == "" || strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), secret[:16]) {
			t.Fatal("a generated secret is missing or was logged")
		}
	}
	if !strings.Contains(logs.String(), "listening") {
		t.Fatalf("the log was not captured:\n%s", logs.String())
	}
}

// HIBP is asked only when the operator turns it on: by default the
// instance never contacts the internet.
func TestHIBPClientOnlyWhenEnabled(t *testing.T) {
	cfg := config.Default()
	keys := config.Keys{Audit: bytes.Repeat([]byte{7}, 32)}
	if c, err := newHIBPClient(cfg.HIBP, keys, nil); c != nil || err != nil {
		t.Fatalf("default config made a client: %v, %v", c, err)
	}
	cfg.HIBP.Enabled = true
	cfg.HIBP.APIKey = "k"
	c, err := newHIBPClient(cfg.HIBP, keys, nil)
	if err != nil || c == nil || !c.HasKey() {
		t.Fatalf("enabled: %v, %v", c, err)
	}
}
