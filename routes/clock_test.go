package routes

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestHandlersKeepOneClock moves the handlers' clock a year ahead: every
// time a handler writes or sends — cookie ends, alerts seen — is read from
// it, none from the machine's clock.
func TestHandlersKeepOneClock(t *testing.T) {
	a := newTestApp(t, nil)
	clock := time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second)
	a.h.now = func() time.Time { return clock }
	a.deps.Matcher.Now = a.h.now // serve gives both the machine's clock

	u, s := a.newMember("ursula", "a quiet morning walk")
	near := func(what string, got, want time.Time) {
		t.Helper()
		if d := got.Sub(want); d < -time.Second || d > time.Second {
			t.Errorf("%s at %v, want %v (the handlers' clock)", what, got, want)
		}
	}
	flash, ok := s.cookies[flashCookie]
	if !ok {
		t.Fatal("the password change set no flash")
	}
	near("flash cookie ends", flash.Expires, clock.Add(flashTTL))
	for name, ttl := range map[string]time.Duration{
		a.h.cookies.session.name: a.h.cfg.Session.MaxAge.Std(),
		a.h.cookies.device.name:  deviceCookieMaxAge,
	} {
		ck, ok := s.cookies[name]
		if !ok {
			t.Fatalf("signing in set no %s cookie", name)
		}
		near(name+" cookie ends", ck.Expires, clock.Add(ttl))
	}

	a.importAccounts("New leak", "tracked.person@example.org")
	s.watch("tracked.person@example.org")
	a.importAccounts("Newer leak", "tracked.person@example.org")
	_, doc, _ := s.page("/dashboard")
	through := doc.Find(`form[data-testid="mark-seen"] input[name="through"]`).AttrOr("value", "")
	if resp, _ := s.post("/dashboard", "/dashboard/seen", url.Values{"through": {through}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("marking seen: %d", resp.StatusCode)
	}
	alerts, err := a.h.store.AlertsFor(context.Background(), u.ID, 10)
	if err != nil || len(alerts) == 0 {
		t.Fatalf("alerts: %v %v", alerts, err)
	}
	for _, al := range alerts {
		near("alert "+al.Breach.Name+" seen", al.SeenAt, clock)
	}
}
