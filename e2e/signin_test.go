package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const (
	signInSubmit  = `#signin-form button[type="submit"]`
	usernameError = `[data-testid="username-error"]`
	passwordError = `[data-testid="password-error"]`
	formError     = `[data-testid="form-error"]`
)

// TestSignInWithHTMX submits the sign-in form as a browser with JavaScript
// does: htmx posts it with the CSRF header and swaps the re-rendered form,
// sent with status 422, into the page without loading a new one.
func TestSignInWithHTMX(t *testing.T) {
	b := openApp(t)
	b.expectStatus("/signin", http.StatusUnprocessableEntity)
	b.open("/signin")
	assertCSRFWiring(t, b)
	// A full page load would drop this mark; a swap keeps it.
	b.do(chromedp.Evaluate[chromedp.Void](`window.pcmtSamePage = true`))

	b.do(chromedp.Click(chromedp.CSS(signInSubmit)), chromedp.WaitVisible(chromedp.CSS(usernameError)))
	assertText(t, b, usernameError, "Enter your username or e-mail address.")
	assertText(t, b, passwordError, "Enter your password.")
	if b.count(`#username[aria-invalid="true"]`) != 1 {
		t.Error(`#username is not marked aria-invalid after the empty submission`)
	}
	if b.count(formError) != 0 {
		t.Error("empty submission shows a form-level error; want the field errors only")
	}

	b.do(
		chromedp.SendKeys(chromedp.ID("username"), "someone@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.CSS(signInSubmit)),
		chromedp.WaitVisible(chromedp.CSS(formError)),
	)
	assertText(t, b, formError, "The username or password is not right.")
	if n := b.count(usernameError + "," + passwordError); n != 0 {
		t.Errorf("%d field error(s) left after a complete submission", n)
	}
	if got := b.attr("#username", "value"); got != "someone@example.com" {
		t.Errorf("username after the swap is %q, want it kept", got)
	}
	if got := b.attr("#password", "value"); got != "" {
		t.Errorf("password after the swap is %q, want it empty", got)
	}

	if !run(b, chromedp.Evaluate[bool](`window.pcmtSamePage === true`)) {
		t.Error("the page was reloaded: htmx did not swap the form in place")
	}
	posts := 0
	for _, r := range b.rec.requestsFor("/signin") {
		switch {
		case r.method == http.MethodGet && r.kind == network.ResourceTypeDocument:
		case r.method == http.MethodPost && r.kind == network.ResourceTypeFetch:
			posts++
			if r.header("X-CSRF-Token") == "" {
				t.Error("htmx POST /signin without X-CSRF-Token")
			}
			if r.header("HX-Request") != "true" {
				t.Error("htmx POST /signin without HX-Request: true")
			}
		default:
			t.Errorf("unexpected %s /signin request of type %s", r.method, r.kind)
		}
	}
	if posts != 2 {
		t.Errorf("htmx sent %d POST /signin, want 2", posts)
	}
	b.assertClean()
}

// TestSignInWithoutJavaScript submits the sign-in form as a plain HTML form:
// each attempt loads the whole page again, with the messages in it.
func TestSignInWithoutJavaScript(t *testing.T) {
	b := openApp(t)
	b.disableScripts()
	b.expectStatus("/signin", http.StatusUnprocessableEntity)
	b.open("/signin")
	assertCSRFWiring(t, b)

	if got := b.navigateBy(chromedp.Click(chromedp.CSS(signInSubmit))); got != http.StatusUnprocessableEntity {
		t.Errorf("empty submission: status %d, want 422", got)
	}
	assertText(t, b, "h1", "Sign in")
	assertText(t, b, usernameError, "Enter your username or e-mail address.")
	assertText(t, b, passwordError, "Enter your password.")

	b.do(
		chromedp.SendKeys(chromedp.ID("username"), "someone"),
		chromedp.SendKeys(chromedp.ID("password"), "not the password"),
	)
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(signInSubmit))); got != http.StatusUnprocessableEntity {
		t.Errorf("complete submission: status %d, want 422", got)
	}
	assertText(t, b, formError, "The username or password is not right.")
	if got := b.attr("#username", "value"); got != "someone" {
		t.Errorf("username after the reload is %q, want it kept", got)
	}

	for _, r := range b.rec.requestsFor("/signin") {
		if r.kind != network.ResourceTypeDocument {
			t.Errorf("%s /signin of type %s with scripts off; want document loads only", r.method, r.kind)
		}
	}
	b.assertClean()
}
