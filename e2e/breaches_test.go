package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"pcmt/config"
)

// TestBreachUploadFlow has the first admin upload a YAML breach file through
// the import form, watch the job's page until the import is done (htmx
// polls the progress panel), and a user find the breach on /breaches. No
// page may report a problem, CSP violations included.
func TestBreachUploadFlow(t *testing.T) {
	browser := newBrowser(t)
	mail := newSignUpMail(t)
	base, _ := startAppWith(t, mail.opts(), mail.open, func(c *config.Config) {
		c.Init.CreateAdmin = true
		c.Init.AdminPassword = firstAdminPass
	})
	file := filepath.Join(t.TempDir(), "forum-dump.yaml")
	yaml := "---\nname: Forum dump\ntime: 2021-06-01\nisVerified: true\ncontainsEmails: true\n" +
		"description: Uploaded by the browser test.\ndata:\n  emails: [ann@example.org, null, ben@example.org]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	a := newTab(t, browser, base)
	signIn(t, a, firstAdminPass, "/settings/password")
	fillPassword(a, firstAdminPass, chosenAdminPass, chosenAdminPass)
	accept(t, a, passwordSubmit, "/admin/users")

	if got := a.open("/admin/breaches/import"); got != http.StatusOK {
		t.Fatalf("GET /admin/breaches/import: status %d", got)
	}
	assertCSRFWiring(t, a)
	assertStylesheetApplied(t, a)
	a.do(
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("import-format"), "yaml"),
	)
	if got := a.navigateBy(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("after the upload: status %d, want 200", got)
	}
	loc := run(a, chromedp.Location())
	if !regexp.MustCompile(`/admin/breaches/jobs/[1-9][0-9]*$`).MatchString(loc) {
		t.Fatalf("after the upload the browser is at %s, not a job page", loc)
	}
	assertText(t, a, `[data-testid="job-file"]`, "forum-dump.yaml")
	// Queued or running, the panel polls itself until the job is done.
	a.do(chromedp.WaitVisible(chromedp.CSS(`#job-panel[data-state="done"] [data-testid="job-summary"]`)))
	if got := a.text(`[data-testid="job-records"]`); got != "2" {
		t.Errorf("records: %q, want 2", got)
	}
	if a.count(`#job-panel[hx-trigger]`) != 0 {
		t.Error("the finished panel still polls")
	}
	a.assertClean()

	if got := a.open("/admin/breaches"); got != http.StatusOK {
		t.Fatalf("GET /admin/breaches: status %d", got)
	}
	assertText(t, a, `[data-testid="breach-row"] [data-testid="breach-title"]`, "Forum dump")
	a.assertClean()
	// The edit page, with its delete confirmation, is clean too.
	if got := a.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="breach-row"] a[data-testid="breach-title"]`))); got != http.StatusOK {
		t.Fatalf("the breach's admin page: status %d", got)
	}
	a.assertClean()

	// A user sees the breach, and only its metadata.
	u := newTab(t, browser, base, chromedp.WithNewBrowserContext())
	mail.signUp(t, u, "reader", "reader@example.org", "amber moths circle the lamp")
	if got := u.navigateBy(chromedp.Click(chromedp.CSS(`nav a[href="/breaches"]`))); got != http.StatusOK {
		t.Fatalf("GET /breaches: status %d", got)
	}
	assertText(t, u, `[data-testid="breach"] [data-testid="breach-title"]`, "Forum dump")
	if got := u.navigateBy(chromedp.Click(chromedp.CSS(`[data-testid="breach-title"]`))); got != http.StatusOK {
		t.Fatalf("the breach's page: status %d", got)
	}
	assertText(t, u, `[data-testid="count-emails"]`, "2")
	if html := run(u, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(html, "ann@example.org") {
		t.Error("the breach's page shows a record")
	}
	u.assertClean()
}
