package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignedInPages signs up through the browser, walks every page a
// signed-in user has, signs out and signs in again: each page must load
// without a problem, and the htmx forms must reach their redirects.
func TestSignedInPages(t *testing.T) {
	const (
		username = "walker"
		password = "quiet lanterns drift over copper hills"
	)
	browser := newBrowser(t)
	mail := newSignUpMail(t)
	base, _ := startAppWith(t, mail.opts(), mail.open)
	b := newTab(t, browser, base)

	b.open("/signup")
	assertCSRFWiring(t, b)
	mail.signUp(t, b, username, "walker@example.org", password)
	assertLocation(t, b, "/dashboard")

	for _, p := range []struct{ path, h1 string }{
		{"/dashboard", "Hello, " + username},
		{"/search", "Search"},
		{"/settings", "Settings"},
		{"/settings/password", "Change your password"},
		{"/settings/sessions", "Sessions"},
		{"/settings/activity", "Activity"},
		{"/settings/tokens", "API tokens"},
		{"/watchlist", "Watchlist"},
	} {
		if got := b.open(p.path); got != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", p.path, got)
		}
		if got := b.text("h1"); !strings.Contains(got, p.h1) {
			t.Errorf("GET %s: h1 %q, want it to contain %q", p.path, got, p.h1)
		}
		assertCSRFWiring(t, b)
		assertStylesheetApplied(t, b)
		b.assertClean()
	}

	// A new API token is shown once, on a page as clean as the others.
	b.open("/settings/tokens")
	// The search scope is ticked already.
	b.do(chromedp.SendKeys(chromedp.ID("name"), "backup script"))
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="token-form"] button[type="submit"]`))); got != http.StatusOK {
		t.Errorf("after creating a token: status %d, want 200", got)
	}
	if v := b.attr(`[data-testid="new-token-value"]`, "value"); !strings.HasPrefix(v, "pcmt_") {
		t.Errorf("new token %q", v)
	}
	b.assertClean()

	// The watchlist form: a refusal swaps in place with its message, an
	// accepted value reloads the page with it listed.
	b.open("/watchlist")
	b.expectStatus("/watchlist", http.StatusUnprocessableEntity)
	b.do(chromedp.SendKeys(chromedp.ID("value"), "name@example"))
	refuse(t, b, `#watch-form button[type="submit"]`, `[data-testid="value-error"]`)
	b.do(chromedp.SetValue(chromedp.ID("value"), "walker@example.org"))
	accept(t, b, `#watch-form button[type="submit"]`, "/watchlist")
	assertText(t, b, `[data-testid="watch-value"]`, "walker@example.org")
	b.assertClean()

	// Sign out is a plain form in the navigation.
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="signout"]`))); got != http.StatusOK {
		t.Errorf("after sign-out: status %d, want 200", got)
	}
	assertLocation(t, b, "/signin")
	assertText(t, b, `[data-testid="flash"]`, "You are signed out.")

	b.do(
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(signInSubmit))); got != http.StatusOK {
		t.Errorf("after sign-in: status %d, want 200", got)
	}
	assertLocation(t, b, "/dashboard")
	b.assertClean()
}
