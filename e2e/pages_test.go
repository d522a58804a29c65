package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesLoadClean loads every page there is as a full page and fails on
// any problem the browser reports while it loads and runs.
func TestPagesLoadClean(t *testing.T) {
	browser := newBrowser(t)
	base := startApp(t)

	pages := []struct {
		name   string
		path   string
		status int
		h1     string
	}{
		{"landing", "/", http.StatusOK, "Know when your accounts leak"},
		{"sign-in", "/signin", http.StatusOK, "Sign in"},
		{"not found", "/no/such/page", http.StatusNotFound, "Not Found"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			b := newTab(t, browser, base)
			if p.status >= 400 {
				b.expectStatus(p.path, p.status)
			}
			if got := b.open(p.path); got != int64(p.status) {
				t.Errorf("GET %s: status %d, want %d", p.path, got, p.status)
			}
			if got := b.text("h1"); !strings.Contains(got, p.h1) {
				t.Errorf("GET %s: h1 %q, want it to contain %q", p.path, got, p.h1)
			}
			assertCSRFWiring(t, b)
			assertStylesheetApplied(t, b)
			b.assertClean()
		})
	}
}

// TestLandingLinks follows the landing page's links the way a visitor does.
func TestLandingLinks(t *testing.T) {
	b := openApp(t)
	b.open("/")
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="cta-signin"]`))); got != http.StatusOK {
		t.Errorf("sign-in link: status %d, want 200", got)
	}
	assertLocation(t, b, "/signin")
	if got := b.attr(`nav a[aria-current="page"]`, "href"); got != "/signin" {
		t.Errorf("current navigation link is %q, want /signin", got)
	}
	b.assertClean()
}
