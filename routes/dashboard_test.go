package routes

import (
	"net/http"
	"strings"
	"testing"
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
	// Neither breach has a date: the timeline says so; both count as
	// leaking e-mail addresses only if the import said so, which it did not.
	if got := strings.TrimSpace(doc.Find(`[data-testid="timeline-empty"]`).Text()); !strings.Contains(got, "known date") {
		t.Errorf("timeline: %q", got)
	}

	_, doc, _ = s.page("/dashboard")
	if got := doc.Find(`[data-testid="new-alert"]`).Length(); got != 0 {
		t.Errorf("%d new alerts on the second visit", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="count-unseen"]`).Text()); got != "0" {
		t.Errorf("unseen on the second visit: %q", got)
	}
}
