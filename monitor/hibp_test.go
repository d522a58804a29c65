package monitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/hibp"
	"pcmt/monitor"
)

// fakeHIBP serves a breach list that can grow and one account's breaches.
type fakeHIBP struct {
	mu       sync.Mutex
	breaches []map[string]any
	account  string   // the account HIBP knows
	in       []string // the breaches it is in
	asked    []string
}

func (f *fakeHIBP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/breaches":
		json.NewEncoder(w).Encode(f.breaches)
	case strings.HasPrefix(r.URL.Path, "/breachedaccount/"):
		acct := strings.TrimPrefix(r.URL.Path, "/breachedaccount/")
		f.asked = append(f.asked, acct)
		if acct != f.account {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		var out []map[string]any
		for _, name := range f.in {
			out = append(out, map[string]any{"Name": name, "Title": name})
		}
		json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func breachJSON(name string) map[string]any {
	return map[string]any{"Name": name, "Title": name + " title", "Domain": strings.ToLower(name) + ".example",
		"BreachDate": "2024-03-01", "DataClasses": []string{"Email addresses", "Passwords"}, "IsVerified": true}
}

// A breach new in HIBP's list queues the users with a watchlist; their
// recheck (at their next visit, when the session can read the values)
// alerts them and queues the mail. The back catalogue at the first check is
// not news.
func TestHIBPListGainsABreach(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fake := &fakeHIBP{breaches: []map[string]any{breachJSON("Old")}, account: "ann@example.org", in: []string{"Old", "Fresh"}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := hibp.New(hibp.Options{APIKey: "k", BaseURL: srv.URL, PasswordsURL: srv.URL, MinInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := monitor.NewHIBPWatch(f.st, client, f.m, nil)
	ann, bob := f.user("ann"), f.user("bob")
	item := f.watch(ann, "ann@example.org")
	bobItem := f.watch(bob, "bob@example.org")

	if n, err := w.Check(ctx); err != nil || n != 0 {
		t.Fatalf("first check: %d, %v", n, err)
	}
	if pending, _ := f.st.HIBPRecheckPending(ctx, ann.ID); pending {
		t.Fatal("the back catalogue queued a recheck")
	}
	fake.mu.Lock()
	fake.breaches = append(fake.breaches, breachJSON("Fresh"))
	fake.mu.Unlock()
	// The client caches the list: a new client sees the new one at once.
	client, _ = hibp.New(hibp.Options{APIKey: "k", BaseURL: srv.URL, PasswordsURL: srv.URL, MinInterval: 1})
	w = monitor.NewHIBPWatch(f.st, client, f.m, nil)
	if n, err := w.Check(ctx); err != nil || n != 1 {
		t.Fatalf("second check: %d, %v", n, err)
	}
	b, err := f.st.BreachByName(ctx, "Fresh (HIBP)")
	if err != nil || b.Title != "Fresh title" || b.Source != "Have I Been Pwned" || b.Records != 0 {
		t.Fatalf("local row of the new breach: %+v, %v", b, err)
	}
	for _, u := range []int64{ann.ID, bob.ID} {
		if ok, _ := f.st.ClaimHIBPRecheck(ctx, u); !ok {
			t.Fatalf("user %d was not queued", u)
		}
		if ok, _ := f.st.ClaimHIBPRecheck(ctx, u); ok {
			t.Fatal("a recheck was claimed twice")
		}
	}
	n, err := w.Recheck(ctx, ann.ID, []monitor.Watched{{ItemID: item, Value: "ann@example.org"}})
	if err != nil || n != 1 {
		t.Fatalf("recheck: %d, %v", n, err)
	}
	alerts := f.alerts(ann)
	if len(alerts) != 1 || alerts[0].Breach.ID != b.ID || alerts[0].KnownAtAdd {
		t.Fatalf("alerts: %+v", alerts)
	}
	if mails := f.mails(); len(mails) != 1 || !strings.Contains(mails[0].BodyText, "Fresh title") ||
		strings.Contains(mails[0].BodyText, "ann@example.org") {
		t.Fatalf("mails: %+v", mails)
	}
	if n, _ := w.Recheck(ctx, bob.ID, []monitor.Watched{{ItemID: bobItem, Value: "bob@example.org"}}); n != 0 {
		t.Fatalf("bob got %d alerts", n)
	}
	if len(f.alerts(bob)) != 0 {
		t.Fatal("bob was alerted")
	}
}

// The recheck asks HIBP for the watcher alone: its cached answer serves
// that user's later rechecks and searches, never another user who watches
// the same value.
func TestHIBPRecheckCacheIsTheWatchers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fake := &fakeHIBP{breaches: []map[string]any{breachJSON("Old")}, account: "ann@example.org", in: []string{"Fresh"}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Now()
	client, err := hibp.New(hibp.Options{APIKey: "k", BaseURL: srv.URL, PasswordsURL: srv.URL, MinInterval: 1,
		Store: f.st, CacheTTL: time.Hour, CacheKey: bytes.Repeat([]byte{5}, 32), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	w := monitor.NewHIBPWatch(f.st, client, f.m, nil)
	if _, err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.breaches = append(fake.breaches, breachJSON("Fresh"))
	fake.mu.Unlock()
	now = now.Add(2 * time.Hour) // past the cached list
	if n, err := w.Check(ctx); err != nil || n != 1 {
		t.Fatalf("second check: %d, %v", n, err)
	}
	ann, bob := f.user("ann"), f.user("bob")
	annItem, bobItem := f.watch(ann, "ann@example.org"), f.watch(bob, "ann@example.org")
	asked := func() int {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		return len(fake.asked)
	}

	if n, err := w.Recheck(ctx, ann.ID, []monitor.Watched{{ItemID: annItem, Value: "ann@example.org"}}); err != nil || n != 1 || asked() != 1 {
		t.Fatalf("ann's recheck: %d alerts, %v, HIBP asked %d times", n, err, asked())
	}
	if n, err := w.Recheck(ctx, bob.ID, []monitor.Watched{{ItemID: bobItem, Value: "ann@example.org"}}); err != nil || n != 1 || asked() != 2 {
		t.Fatalf("bob's recheck of the value ann watches: %d alerts, %v, HIBP asked %d times (want 2)", n, err, asked())
	}
	if _, err := w.Recheck(ctx, ann.ID, []monitor.Watched{{ItemID: annItem, Value: "ann@example.org"}}); err != nil || asked() != 2 {
		t.Fatalf("ann's second recheck: %v, HIBP asked %d times (want her cached answer)", err, asked())
	}
	if len(f.alerts(ann)) != 1 || len(f.alerts(bob)) != 1 {
		t.Fatalf("alerts: ann %+v, bob %+v", f.alerts(ann), f.alerts(bob))
	}
}
