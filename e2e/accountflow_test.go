package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"pcmt/config"
)

// The first admin's name and the passwords the account flow uses. The first
// passes the policy for the admin, as Init.AdminPassword must.
const (
	firstAdmin       = "admin"
	firstAdminPass   = "copper kettles hum at dawn"
	chosenAdminPass  = "seven quiet herons cross the bay"
	passwordSubmit   = `#password-form button[type="submit"]`
	newPasswordError = `[data-testid="new_password-error"]`
	confirmError     = `[data-testid="new_password_confirm-error"]`
	flashSel         = `[data-testid="flash"]`
	sessionSel       = `[data-testid="session"]`
	currentSel       = `[data-testid="current"]`
	revokeSel        = `[data-testid="revoke"]`
)

// TestFirstAdminAccountFlow walks the first run of an instance in the
// browser, with JavaScript (htmx posts the forms, swaps refusals in place
// and follows HX-Redirect) and without it (plain form posts and 303
// redirects): the first admin, made at start from Init.AdminPassword, signs
// in, is held on the forced password change, has a new password refused and
// then one accepted, signs in on a second browser, signs that one out from
// the sessions page, and signs out. Every page must stay clean: no CSP
// violation, console error, exception or failed load.
func TestFirstAdminAccountFlow(t *testing.T) {
	for _, c := range []struct {
		name    string
		scripts bool
	}{{"htmx", true}, {"no-javascript", false}} {
		t.Run(c.name, func(t *testing.T) {
			accountFlow(t, c.scripts)
		})
	}
}

func accountFlow(t *testing.T, scripts bool) {
	browser := newBrowser(t)
	base := startApp(t, func(c *config.Config) {
		c.Init.CreateAdmin = true
		c.Init.AdminPassword = firstAdminPass
	})
	a := newTab(t, browser, base)
	if !scripts {
		a.disableScripts()
	}
	a.expectStatus("/settings/password", http.StatusUnprocessableEntity)

	// The first sign-in lands on the forced password change.
	signIn(t, a, firstAdminPass, "/settings/password")
	assertText(t, a, `[data-testid="forced"]`, "Your password was set by someone else. Choose your own before you continue.")
	if n := a.count(`nav a[href="/admin/users"], nav a[href="/settings"]`); n != 0 {
		t.Errorf("the navigation offers %d other page(s) before the password is changed", n)
	}
	assertCSRFWiring(t, a)
	a.assertClean()

	// Until then every other page sends the admin back to it.
	for _, path := range []string{"/settings", "/admin/users", "/settings/sessions"} {
		if got := a.open(path); got != http.StatusOK {
			t.Errorf("GET %s while the password must change: status %d, want 200 after the redirect", path, got)
		}
		requireLocation(t, a, "/settings/password")
	}
	a.assertClean()

	// Refused new passwords come back beside their field with 422.
	fillPassword(a, firstAdminPass, "short", "short")
	refuse(t, a, passwordSubmit, newPasswordError)
	if got := a.text(newPasswordError); !strings.Contains(got, "at least 8 characters") {
		t.Errorf("too short a password: message %q, want it to ask for 8 characters", got)
	}
	fillPassword(a, firstAdminPass, chosenAdminPass, chosenAdminPass+" and more")
	refuse(t, a, passwordSubmit, confirmError)
	assertText(t, a, confirmError, "The two passwords differ.")
	if n := a.count(newPasswordError); n != 0 {
		t.Errorf("%d new_password error(s) left after a valid new password", n)
	}
	if n := a.count(`[data-testid="forced"]`); n != 1 {
		t.Errorf("the forced notice is gone after a refusal (%d)", n)
	}
	a.assertClean()

	// An accepted one leads to the admin's home with the news.
	fillPassword(a, firstAdminPass, chosenAdminPass, chosenAdminPass)
	accept(t, a, passwordSubmit, "/admin/users")
	assertText(t, a, flashSel, "Your password is changed.")
	assertText(t, a, "h1", "Users")
	a.assertClean()
	// A form htmx owns is answered by HX-Redirect after a 204, a plain
	// one by a 303.
	accepted := int64(http.StatusNoContent)
	if !scripts {
		accepted = http.StatusSeeOther
	}
	assertPosts(t, a, "/signin", accepted)
	assertPosts(t, a, "/settings/password", http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, accepted)

	// A second browser, with cookies of its own, signs in too.
	b := newTab(t, browser, base, chromedp.WithNewBrowserContext())
	if !scripts {
		b.disableScripts()
	}
	signIn(t, b, chosenAdminPass, "/admin/users")
	assertPosts(t, b, "/signin", accepted)
	b.assertClean()

	// The first one sees both sessions and signs the other out.
	if got := a.open("/settings/sessions"); got != http.StatusOK {
		t.Fatalf("GET /settings/sessions: status %d, want 200", got)
	}
	if n, cur, rev := a.count(sessionSel), a.count(currentSel), a.count(revokeSel); n != 2 || cur != 1 || rev != 1 {
		t.Fatalf("sessions page lists %d session(s), %d current, %d to sign out; want 2, 1, 1", n, cur, rev)
	}
	if a.count(sessionSel+":has("+currentSel+") "+revokeSel) != 0 {
		t.Error("the current session has a sign-out button of its own")
	}
	if got := a.navigateBy(chromedp.Click(chromedp.CSS(revokeSel))); got != http.StatusOK {
		t.Errorf("after signing the other session out: status %d, want 200", got)
	}
	requireLocation(t, a, "/settings/sessions")
	assertText(t, a, flashSel, "That session is signed out.")
	if n, cur := a.count(sessionSel), a.count(currentSel); n != 1 || cur != 1 {
		t.Errorf("after the revocation the page lists %d session(s), %d current; want 1, 1", n, cur)
	}
	a.assertClean()

	// The other browser is signed out at its next request.
	if got := b.open("/settings"); got != http.StatusOK {
		t.Errorf("GET /settings on the signed-out browser: status %d, want 200 after the redirect", got)
	}
	requireLocation(t, b, "/signin")
	assertText(t, b, "h1", "Sign in")
	b.assertClean()

	// Signing out the first browser ends its session too.
	if got := a.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="signout"]`))); got != http.StatusOK {
		t.Errorf("after sign-out: status %d, want 200", got)
	}
	requireLocation(t, a, "/signin")
	assertText(t, a, flashSel, "You are signed out.")
	a.open("/settings")
	assertLocation(t, a, "/signin")
	assertPosts(t, a, "/settings/sessions/revoke", http.StatusSeeOther)
	assertPosts(t, a, "/signout", http.StatusSeeOther)
	a.assertClean()
}

// signIn signs the first admin in from the sign-in page and checks where
// the browser lands.
func signIn(t *testing.T, b *tab, password, home string) {
	t.Helper()
	if got := b.open("/signin"); got != http.StatusOK {
		t.Fatalf("GET /signin: status %d, want 200", got)
	}
	// A browser that shared a signed-in browser's cookies would be sent on.
	requireLocation(t, b, "/signin")
	b.do(
		chromedp.SendKeys(chromedp.ID("username"), firstAdmin),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	accept(t, b, signInSubmit, home)
}

// fillPassword types into the empty fields of the password form.
func fillPassword(b *tab, current, next, confirm string) {
	b.t.Helper()
	b.do(
		chromedp.SendKeys(chromedp.ID("current_password"), current),
		chromedp.SendKeys(chromedp.ID("new_password"), next),
		chromedp.SendKeys(chromedp.ID("new_password_confirm"), confirm),
	)
}

// markPage leaves a mark in the page that only a full page load removes.
func markPage(b *tab) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`window.pcmtSamePage = true`))
	if !samePage(b) {
		b.t.Fatal("could not mark the page")
	}
}

func samePage(b *tab) bool {
	b.t.Helper()
	return run(b, chromedp.Evaluate[bool](`window.pcmtSamePage === true`))
}

// refuse submits a form that the app must send back with status 422 and the
// message errSel shows. htmx swaps it into the page; without JavaScript it
// is a new page.
func refuse(t *testing.T, b *tab, submit, errSel string) {
	t.Helper()
	markPage(b)
	if b.noScripts {
		if got := b.navigateBy(chromedp.Click(chromedp.CSS(submit))); got != http.StatusUnprocessableEntity {
			t.Errorf("refused submission: status %d, want 422", got)
		}
		if samePage(b) {
			t.Error("a refused plain form post left the page in place")
		}
	} else {
		b.do(chromedp.Click(chromedp.CSS(submit)), chromedp.WaitVisible(chromedp.CSS(errSel)))
		if !samePage(b) {
			t.Error("the page was reloaded: htmx did not swap the refused form in place")
		}
	}
	if b.count(errSel) != 1 {
		t.Errorf("%s: not shown after the refusal", errSel)
	}
}

// accept submits a form that the app must take, and checks that the browser
// loads path as a whole new page: by HX-Redirect under htmx, by a 303
// without JavaScript.
func accept(t *testing.T, b *tab, submit, path string) {
	t.Helper()
	markPage(b)
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(submit))); got != http.StatusOK {
		t.Errorf("accepted submission: status %d, want 200", got)
	}
	requireLocation(t, b, path)
	if samePage(b) {
		t.Errorf("%s was not loaded as a whole page", path)
	}
}

// assertPosts checks how the tab posted to path and the statuses of the
// answers, oldest first: fetches with the htmx and CSRF headers when htmx
// owns the form and scripts run, plain form posts otherwise.
func assertPosts(t *testing.T, b *tab, path string, statuses ...int64) {
	t.Helper()
	htmxForm := path == "/signin" || path == "/settings/password"
	var got []int64
	for _, r := range b.rec.requestsFor(path) {
		if r.method != http.MethodPost {
			continue
		}
		got = append(got, r.status)
		switch {
		case htmxForm && !b.noScripts:
			if r.kind != network.ResourceTypeFetch || r.header("HX-Request") != "true" || r.header("X-CSRF-Token") == "" {
				t.Errorf("POST %s: type %s, HX-Request %q, X-CSRF-Token set %t; want an htmx fetch with both headers",
					path, r.kind, r.header("HX-Request"), r.header("X-CSRF-Token") != "")
			}
		case r.kind != network.ResourceTypeDocument:
			t.Errorf("POST %s of type %s; want a plain form post", path, r.kind)
		}
	}
	if !slices.Equal(got, statuses) {
		t.Errorf("POST %s answered with %v, want %v", path, got, statuses)
	}
}

// requireLocation is assertLocation for a step the rest of the test builds
// on: elsewhere it would only wait for elements that never come.
func requireLocation(t *testing.T, b *tab, path string) {
	t.Helper()
	if got := run(b, chromedp.Location()); got != b.base+path {
		t.Fatalf("the browser is at %s, want %s%s", got, b.base, path)
	}
}
