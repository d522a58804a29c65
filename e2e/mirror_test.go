package e2e

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"pcmt/config"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
)

// TestServeMirrorsRanges: pcmt serve with [HIBP] Enabled answers /range
// for a range it never stored as the Pwned Passwords API does, asking the
// API (a local fake) once.
func TestServeMirrorsRanges(t *testing.T) {
	corpus := hibptest.Generate(hibp.ModeSHA1, 11, 16, 10)
	up, err := hibptest.Start("127.0.0.1:0", corpus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	base := startApp(t, func(c *config.Config) {
		c.HIBP.Enabled = true
		c.HIBP.PasswordsURL = up.URL
		c.HIBP.BaseURL = up.URL // no breach list there: the watch logs it and goes on
	})
	p := corpus.Prefixes()[0]
	for range 2 {
		resp, err := http.Get(fmt.Sprintf("%s/range/%05X", base, p))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != string(corpus.Answer(p)) {
			t.Fatalf("GET /range/%05X: %d %q, want upstream's answer", p, resp.StatusCode, body)
		}
	}
	if n := up.Hits(hibp.ModeSHA1, p); n != 1 {
		t.Errorf("upstream asked %d times, want once", n)
	}
}
