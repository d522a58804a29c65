package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/cli"
	"pcmt/config"
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
func startAppLogged(t *testing.T, edits ...func(*config.Config)) (string, *syncBuffer) {
	t.Helper()
	return startAppWith(t, cli.ServeOptions{}, edits...)
}

// startAppWith is startAppLogged with options beyond the configuration
// (the mailer's TLS trust); their Started is the harness's own.
func startAppWith(t *testing.T, opts cli.ServeOptions, edits ...func(*config.Config)) (string, *syncBuffer) {
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

	logs := &syncBuffer{}
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
		logs.failOnErrors(t)
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

// syncBuffer is a bytes.Buffer that the app's goroutines and the test may
// share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// allowed are the ERROR lines a test expects: each is a text the line
	// must contain. Any other ERROR line fails the test.
	allowed []string
}

// allowErrors lets ERROR lines containing one of texts pass, for a test
// that provokes them on purpose.
func (b *syncBuffer) allowErrors(texts ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, texts...)
}

// failOnErrors fails t when the log holds an ERROR line no test allowed:
// an error the app logs is a bug unless a test provoked it.
func (b *syncBuffer) failOnErrors(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
next:
	for line := range strings.Lines(b.buf.String()) {
		if !strings.Contains(line, " level=ERROR ") {
			continue
		}
		for _, a := range b.allowed {
			if strings.Contains(line, a) {
				continue next
			}
		}
		t.Errorf("the app logged an error:\n%s", line)
	}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
