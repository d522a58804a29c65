package e2e

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"pcmt/cli"
	"pcmt/config"
	"pcmt/logtest"
)

// startApp runs the app in-process on a free loopback port over a fresh
// database and returns its base URL; edits change the configuration first.
// The app stops when the test ends; its log is shown only when the test
// failed, and an ERROR line in it fails the test (see allowErrors).
func startApp(t *testing.T, edits ...func(*config.Config)) string {
	t.Helper()
	base, _ := startAppLogged(t, edits...)
	return base
}

// startAppLogged is startApp that also hands over the app's log, for tests
// that check what it holds.
func startAppLogged(t *testing.T, edits ...func(*config.Config)) (string, *logtest.Buffer) {
	t.Helper()
	return startAppWith(t, cli.ServeOptions{}, edits...)
}

// startAppWith is startAppLogged with options beyond the configuration
// (the mailer's TLS trust); their Started is the harness's own.
func startAppWith(t *testing.T, opts cli.ServeOptions, edits ...func(*config.Config)) (string, *logtest.Buffer) {
	t.Helper()
	cfg := config.Default()
	cfg.Host = "127.0.0.1"
	cfg.Database.Path = filepath.Join(t.TempDir(), "pcmt.db")
	cfg.HTTP.RateLimit = 0
	// No generated first admin: nobody would see its password, and making
	// its key costs time on every start.
	cfg.Init.CreateAdmin = false
	for _, edit := range edits {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	// Validate wants a real port; the listener takes port 0 as "any free
	// one", and Serve reports the port it got.
	cfg.Port = 0

	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	stopped := make(chan struct{})
	var serveErr error
	go func() {
		defer close(stopped)
		opts.Started = func(url string) { urls <- url }
		serveErr = cli.ServeWithOptions(ctx, cfg, log, opts)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		if serveErr != nil {
			t.Errorf("app stopped with: %v", serveErr)
		}
		logs.FailOnErrors(t)
		if t.Failed() {
			t.Logf("app log:\n%s", logs)
		}
	})

	select {
	case url := <-urls:
		return url, logs
	case <-stopped:
		t.Fatalf("app did not start: %v\n%s", serveErr, logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("app did not start within 10s:\n%s", logs)
	}
	return "", nil
}
