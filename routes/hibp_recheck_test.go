package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/hibp"
	"pcmt/monitor"
)

// When HIBP's list gains a breach, a user's next dashboard visit asks HIBP
// about their watched values (which only their session can decrypt), and
// the alert follows.
func TestDashboardVisitRunsTheHIBPRecheck(t *testing.T) {
	var mu sync.Mutex
	list := []map[string]any{{"Name": "Old", "Title": "Old"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/breaches":
			json.NewEncoder(w).Encode(list)
		case r.URL.Path == "/breachedaccount/ann@example.org":
			json.NewEncoder(w).Encode([]map[string]any{{"Name": "Fresh", "Title": "Fresh"}})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	client, err := hibp.New(hibp.Options{APIKey: "k", BaseURL: srv.URL, PasswordsURL: srv.URL, MinInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d, logs := testDeps(t, func(c *config.Config) { c.HIBP.Enabled = true })
	watch := monitor.NewHIBPWatch(d.Store, client, d.Matcher, d.Log)
	d.HIBP, d.HIBPWatch = client, watch
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	u, s := a.newMember("ann", "a long passphrase")
	if resp, _ := s.watch("ann@example.org"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d", resp.StatusCode)
	}
	ctx := context.Background()
	if _, err := watch.Check(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	list = append(list, map[string]any{"Name": "Fresh", "Title": "Fresh"})
	mu.Unlock()
	if n, err := watch.Check(ctx); err != nil || n != 1 {
		t.Fatalf("check: %d, %v", n, err)
	}
	if code, _, _ := s.page("/dashboard"); code != http.StatusOK {
		t.Fatalf("dashboard: %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		alerts, err := a.h.store.AlertsFor(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) == 1 && alerts[0].Breach.Name == "Fresh (HIBP)" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no alert from the recheck: %+v\n%s", alerts, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pending, _ := a.h.store.HIBPRecheckPending(ctx, u.ID); pending {
		t.Fatal("the recheck is still queued")
	}
	if strings.Contains(logs.String(), "ann@example.org") {
		t.Fatal("the watched value reached the log")
	}
}
