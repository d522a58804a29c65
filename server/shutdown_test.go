package server

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// slowBody is what the slow handler sends: big enough to need several
// writes, so a cut-off response cannot pass for a whole one.
var slowBody = bytes.Repeat([]byte("0123456789abcdef"), 64<<10)

// slowApp has a handler that tells started when it runs, then holds the
// request until the server begins to shut down, then answers slowBody.
func slowApp(started chan<- struct{}) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/slow", func(c *fiber.Ctx) error {
		started <- struct{}{}
		select {
		case <-c.Context().Done(): // closed once shutdown has begun
		case <-time.After(safety):
			return c.Status(http.StatusInternalServerError).SendString("shutdown never began")
		}
		return c.Send(slowBody)
	})
	return app
}

func TestGracefulShutdown(t *testing.T) {
	tests := []struct {
		name string
		tls  bool
	}{
		{name: "plain HTTP"},
		{name: "TLS", tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cert := newLocalCert(t)
			if tt.tls {
				withTLS(cfg, cert)
			}
			started := make(chan struct{}, 1)
			s := newServer(t, cfg, slowApp(started))
			stop := run(t, s)

			type result struct {
				status int
				body   string
				err    error
			}
			got := make(chan result, 1)
			c := client(t, cert.Pool, "")
			go func() {
				resp, err := c.Get(s.URL() + "/slow")
				if err != nil {
					got <- result{err: err}
					return
				}
				defer resp.Body.Close()
				var buf bytes.Buffer
				_, err = buf.ReadFrom(resp.Body)
				got <- result{status: resp.StatusCode, body: buf.String(), err: err}
			}()

			select {
			case <-started:
			case <-time.After(safety):
				t.Fatal("the request never reached the handler")
			}
			// The request is in flight and its handler only answers once
			// shutdown has begun.
			if err := stop(); err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}

			r := <-got
			if r.err != nil {
				t.Fatalf("in-flight request: %v", r.err)
			}
			if r.status != http.StatusOK {
				t.Errorf("in-flight request: status %d, want 200", r.status)
			}
			if r.body != string(slowBody) {
				t.Errorf("in-flight request: got %d bytes, want the full %d", len(r.body), len(slowBody))
			}
			assertRefused(t, s.Addr().String())
			if tt.tls {
				assertRefused(t, s.RedirectAddr().String())
			}
		})
	}
}

// A stop asked for before the server has started to accept still closes
// every listener: none is left serving after Run returns.
func TestRunWithEndedContext(t *testing.T) {
	for range 20 {
		cfg := withTLS(testConfig(t), newLocalCert(t))
		s := newServer(t, cfg, echoApp())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v, want nil", err)
			}
		case <-time.After(safety):
			t.Fatal("Run did not return")
		}
		assertRefused(t, s.Addr().String())
		assertRefused(t, s.RedirectAddr().String())
	}
}
