package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestDashboardEmpty(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	status, doc, _ := s.page("/dashboard")
	if status != http.StatusOK {
		t.Fatalf("GET /dashboard: %d", status)
	}
	for sel, want := range map[string]string{
		`[data-testid="count-watched"]`:  "0",
		`[data-testid="count-breaches"]`: "0",
		`[data-testid="count-unseen"]`:   "0",
		`[data-testid="new-none"]`:       "Nothing new.",
		`[data-testid="timeline-empty"]`: "No exposures to show.",
		`[data-testid="classes-empty"]`:  "No leaked data to show.",
	} {
		if got := strings.TrimSpace(doc.Find(sel).Text()); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if doc.Find(`[data-testid="dashboard-empty"]`).Length() != 1 {
		t.Error("no hint to add a watched value")
	}
	if doc.Find("svg").Length() != 0 {
		t.Error("pictures of nothing")
	}
}

// TestDashboardNewThenSeen: a breach known when the value was added is an
// exposure but not news; one imported later is new on the first visit and
// seen on the next.
func TestDashboardNewThenSeen(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	a.importAccounts("Old leak", "tracked.person@example.org")
	s.watch("tracked.person@example.org")
	s.watch("other.person@example.org")
	a.importAccounts("New leak", "tracked.person@example.org", "someone@example.org")

	_, doc, _ := s.page("/dashboard")
	for sel, want := range map[string]string{
		`[data-testid="count-watched"]`:  "2",
		`[data-testid="count-breaches"]`: "2",
		`[data-testid="count-unseen"]`:   "1",
	} {
		if got := strings.TrimSpace(doc.Find(sel).Text()); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	news := doc.Find(`[data-testid="new-alert"]`)
	if news.Length() != 1 || news.Find(`[data-testid="alert-breach"]`).Text() != "New leak" {
		t.Fatalf("new: %q", news.Text())
	}
	if href, _ := news.Find(`a`).Attr("href"); !strings.HasPrefix(href, "/breaches/") {
		t.Errorf("the new alert links to %q", href)
	}
	if got := doc.Find(`[data-testid="alert"]`).Length(); got != 2 {
		t.Errorf("%d latest alerts, want 2", got)
	}
	// Neither breach has a date: the timeline says so.
	if got := strings.TrimSpace(doc.Find(`[data-testid="timeline-empty"]`).Text()); !strings.Contains(got, "known date") {
		t.Errorf("timeline: %q", got)
	}

	// A second GET (a reload, a prefetch, a link preview) changes nothing.
	_, doc, token := s.page("/dashboard")
	if got := doc.Find(`[data-testid="new-alert"]`).Length(); got != 1 {
		t.Fatalf("%d new alerts on a second GET: a GET marked them seen", got)
	}
	form := doc.Find(`form[data-testid="mark-seen"]`)
	if form.AttrOr("hx-post", "") != "/dashboard/seen" || form.AttrOr("hx-trigger", "") != "load" ||
		form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != "/dashboard/seen" {
		t.Fatalf("the page does not post what it showed as seen: %v", form.Nodes)
	}
	through := form.Find(`input[name="through"]`).AttrOr("value", "")

	// An alert raised after the page was drawn stays new.
	a.importAccounts("Newer leak", "other.person@example.org")
	// What htmx sends once the page is displayed.
	req := httptest.NewRequest(http.MethodPost, "/dashboard/seen", strings.NewReader(url.Values{"through": {through}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	if resp, body := s.do(req); resp.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("htmx marking seen: %d %q", resp.StatusCode, body)
	}
	_, doc, _ = s.page("/dashboard")
	news = doc.Find(`[data-testid="new-alert"]`)
	if news.Length() != 1 || news.Find(`[data-testid="alert-breach"]`).Text() != "Newer leak" {
		t.Fatalf("new after marking the shown ones seen: %q", news.Text())
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="count-unseen"]`).Text()); got != "1" {
		t.Errorf("unseen after marking the shown ones seen: %q", got)
	}

	// Without JavaScript the button posts the same form.
	through = doc.Find(`form[data-testid="mark-seen"] input[name="through"]`).AttrOr("value", "")
	if resp, _ := s.post("/dashboard", "/dashboard/seen", url.Values{"through": {through}}); resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("marking seen without htmx: %d → %s", resp.StatusCode, location(resp))
	}
	_, doc, _ = s.page("/dashboard")
	if got := doc.Find(`[data-testid="new-alert"]`).Length(); got != 0 {
		t.Errorf("%d new alerts after marking them seen", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="count-unseen"]`).Text()); got != "0" {
		t.Errorf("unseen after marking them seen: %q", got)
	}
	if doc.Find(`form[data-testid="mark-seen"]`).Length() != 0 {
		t.Error("a form to mark nothing seen")
	}
}

// TestDashboardPictures: dated breaches with data classes become marks on
// the timeline and bars of the breakdown, each with its text alternative;
// a breach holding two watched values counts once.
func TestDashboardPictures(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	s.watch("one@example.org")
	s.watch("two@example.org")
	a.importDated("Early leak", time.Date(2014, time.March, 1, 0, 0, 0, 0, time.UTC),
		[]string{"Email addresses", "Passwords"}, "one@example.org", "two@example.org")
	a.importDated("Late leak", time.Date(2023, time.May, 9, 0, 0, 0, 0, time.UTC),
		[]string{"Email addresses"}, "two@example.org")

	_, doc, _ := s.page("/dashboard")
	if got := strings.TrimSpace(doc.Find(`[data-testid="count-breaches"]`).Text()); got != "2" {
		t.Errorf("breaches: %q, want 2", got)
	}
	if got := doc.Find(`[data-testid="new-alert"]`).Length(); got != 3 {
		t.Errorf("%d new alerts, want 3 (one per value and breach)", got)
	}
	svg := doc.Find(`svg[data-testid="timeline"]`)
	if role, _ := svg.Attr("role"); role != "img" {
		t.Errorf("timeline role %q", role)
	}
	if got := svg.Find(`[data-testid="timeline-mark"]`).Length(); got != 2 {
		t.Errorf("%d marks, want 2", got)
	}
	if got := svg.Find(`#timeline-title`).Text(); got != "2 breaches by date, from 2014 to 2024" {
		t.Errorf("timeline title %q", got)
	}
	if got := svg.Parent().Find(`ul.sr-only li`).Length(); got != 2 {
		t.Errorf("%d breaches in the timeline's text alternative, want 2", got)
	}
	want := map[string]string{"Email addresses": "2", "Passwords": "1"}
	bars := doc.Find(`svg[data-testid="classes"] [data-testid="class-bar"]`)
	if bars.Length() != len(want) {
		t.Fatalf("%d bars, want %d", bars.Length(), len(want))
	}
	bars.Each(func(_ int, b *goquery.Selection) {
		class, _ := b.Attr("data-class")
		if n, _ := b.Attr("data-count"); n != want[class] {
			t.Errorf("bar %q: %q, want %q", class, n, want[class])
		}
	})
	if got := doc.Find(`table.sr-only tbody tr`).Length(); got != 2 {
		t.Errorf("%d rows in the breakdown's table, want 2", got)
	}
	if html, _ := doc.Html(); strings.Contains(html, "style=") {
		t.Error("the dashboard has an inline style, which the CSP refuses")
	}
}
