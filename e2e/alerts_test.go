package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pcmt/config"
)

// TestBreachAlertFlow follows one alert from end to end: a user watches two
// values on /watchlist, an admin imports a breach holding one of them
// through the upload form, and the user's dashboard shows the alert as new
// (in the list and in both pictures), then as seen after a reload; the
// alert e-mail reaches a real SMTP server over TLS, addressed to the
// account and naming the breach but not the watched value. No page may
// report a problem, CSP violations included.
func TestBreachAlertFlow(t *testing.T) {
	const (
		userEmail = "mona@example.org"
		breached  = "mona.old@example.org" // watched, and in the breach
		untouched = "mona.new@example.org" // watched, in no breach
	)
	browser := newBrowser(t)
	mail := newSignUpMail(t)
	base, _ := startAppWith(t, mail.opts(), func(c *config.Config) {
		c.Init.CreateAdmin = true
		c.Init.AdminPassword = firstAdminPass
		mail.open(c)
	})

	// The user signs up and watches two values.
	u := newTab(t, browser, base)
	mail.signUp(t, u, "mona", userEmail, "amber moths circle the lamp")
	assertText(t, u, `[data-testid="new-none"]`, "Nothing new.")
	assertText(t, u, `[data-testid="timeline-empty"]`, "No exposures to show.")
	u.assertClean()
	for _, v := range []string{breached, untouched} {
		if got := u.open("/watchlist"); got != http.StatusOK {
			t.Fatalf("GET /watchlist: status %d", got)
		}
		u.do(chromedp.SendKeys(chromedp.ID("value"), v))
		accept(t, u, `#watch-form button[type="submit"]`, "/watchlist")
		u.assertClean()
	}
	if got := u.count(`[data-testid="watch-item"]`); got != 2 {
		t.Fatalf("%d watched values, want 2", got)
	}

	// The admin imports a breach holding one of them.
	file := filepath.Join(t.TempDir(), "forum-dump.yaml")
	yaml := "---\nname: Forum dump\ntime: 2021-06-01\n" +
		"description: Uploaded by the alert test.\ndata:\n" +
		"  emails: [" + breached + ", null, stranger@example.org]\n  usernames: [someone]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newTab(t, browser, base, chromedp.WithNewBrowserContext())
	signIn(t, a, firstAdminPass, "/settings/password")
	fillPassword(a, firstAdminPass, chosenAdminPass, chosenAdminPass)
	accept(t, a, passwordSubmit, "/admin/users")
	if got := a.open("/admin/breaches/import"); got != http.StatusOK {
		t.Fatalf("GET /admin/breaches/import: status %d", got)
	}
	a.do(
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("import-format"), "yaml"),
	)
	if got := a.navigateBy(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("after the upload: status %d", got)
	}
	if loc := run(a, chromedp.Location()); !regexp.MustCompile(`/admin/breaches/jobs/[1-9][0-9]*$`).MatchString(loc) {
		t.Fatalf("after the upload the browser is at %s, not a job page", loc)
	}
	a.do(chromedp.WaitVisible(chromedp.CSS(`#job-panel[data-state="done"] [data-testid="job-summary"]`)))
	a.assertClean()

	// The user's dashboard shows the alert as new, and in both pictures.
	if got := u.open("/dashboard"); got != http.StatusOK {
		t.Fatalf("GET /dashboard: status %d", got)
	}
	assertText(t, u, `[data-testid="count-watched"]`, "2")
	assertText(t, u, `[data-testid="count-breaches"]`, "1")
	assertText(t, u, `[data-testid="count-unseen"]`, "1")
	if got := u.count(`[data-testid="new-alert"]`); got != 1 {
		t.Fatalf("%d new alerts, want 1", got)
	}
	assertText(t, u, `[data-testid="new-alert"] [data-testid="alert-breach"]`, "Forum dump")
	assertText(t, u, `[data-testid="new-alert"] [data-testid="alert-date"]`, "1 Jun 2021")
	assertText(t, u, `[data-testid="new-alert"] [data-testid="alert-classes"]`, "Email addresses, Usernames")
	if href := u.attr(`[data-testid="new-alert"] a[data-testid="alert-breach"]`, "href"); !regexp.MustCompile(`^/breaches/[1-9][0-9]*$`).MatchString(href) {
		t.Errorf("the alert links to %q", href)
	}
	if got := u.count(`svg[data-testid="timeline"] [data-testid="timeline-mark"]`); got != 1 {
		t.Errorf("%d marks on the timeline, want 1", got)
	}
	// The pictures' text alternatives: a title, and the data in words.
	if got := run(u, chromedp.Evaluate[string](`document.getElementById(document.querySelector('svg[data-testid="timeline"]').getAttribute('aria-labelledby')).textContent`)); got != "1 breach by date, from 2021 to 2022" {
		t.Errorf("the timeline is labelled %q", got)
	}
	for _, class := range []string{"Email addresses", "Usernames"} {
		sel := `svg[data-testid="classes"] [data-testid="class-bar"][data-class="` + class + `"]`
		if got := u.attr(sel, "data-count"); got != "1" {
			t.Errorf("bar %q: count %q, want 1", class, got)
		}
	}
	// The pictures are drawn by the stylesheet's classes, in this scheme.
	if fill := run(u, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('[data-testid="timeline-mark"]')).fill`)); fill == "" || fill == "none" || fill == "rgb(0, 0, 0)" {
		t.Errorf("the timeline's mark is filled with %q: the stylesheet lacks its class", fill)
	}
	assertStylesheetApplied(t, u)
	checkDashboardSchemes(t, u)
	u.assertClean()

	// The page marks what it showed seen once displayed: htmx posts the
	// form on load and removes it. The GET alone changed nothing.
	u.do(chromedp.WaitNotPresent(chromedp.CSS(`form[data-testid="mark-seen"]`)))
	u.assertClean()

	// Seen now: a reload shows nothing new, the alert still listed.
	u.open("/dashboard")
	assertText(t, u, `[data-testid="new-none"]`, "Nothing new.")
	assertText(t, u, `[data-testid="count-unseen"]`, "0")
	if got := u.count(`[data-testid="alert"]`); got != 1 {
		t.Errorf("%d alerts listed after the visit, want 1", got)
	}
	u.assertClean()

	// The alert e-mail went out through the SMTP server over TLS, after
	// the sign-up code.
	msgs := mail.WaitMessages(t, 2, 15*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d mails, want the sign-up code and the alert", len(msgs))
	}
	m := msgs[1]
	body := string(m.Data)
	if m.To != userEmail {
		t.Errorf("mail to %q, want the account's %q", m.To, userEmail)
	}
	if m.From != "noreply@pcmt.example" {
		t.Errorf("mail from %q", m.From)
	}
	if !strings.Contains(body, "Forum dump") || !strings.Contains(body, "Subject: [pcmt]") {
		t.Errorf("the mail does not name the breach, or lacks the subject prefix:\n%s", body)
	}
	if strings.Contains(body, breached) {
		t.Errorf("the mail names the watched value:\n%s", body)
	}
}

// checkDashboardSchemes shows the dashboard at each viewport in light and
// dark mode, saves screenshots (see screenshotsEnv), and checks that nothing
// overflows sideways and that the pictures change colour with the scheme.
func checkDashboardSchemes(t *testing.T, b *tab) {
	t.Helper()
	dir := screenshotDir(t)
	const fills = `[...document.querySelectorAll('[data-testid="timeline-mark"], [data-testid="class-bar"] rect, [data-testid="class-bar"] text')].map(e => getComputedStyle(e).fill).join(' ')`
	for _, vp := range viewports {
		got := map[string]string{}
		for _, scheme := range []string{"light", "dark"} {
			b.do(emulate(vp, scheme))
			b.settle()
			if overflow := run(b, chromedp.Evaluate[int](
				`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); overflow > 0 {
				t.Errorf("dashboard at %s, %s: content overflows the width by %dpx", vp.name, scheme, overflow)
			}
			got[scheme] = run(b, chromedp.Evaluate[string](fills))
			png := run(b, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, "dashboard-"+vp.name+"-"+scheme+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got["light"] == got["dark"] {
			t.Errorf("dashboard at %s: the pictures keep their colours in dark mode: %s", vp.name, got["light"])
		}
	}
}
