package routes

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"pcmt/breaches"
	"pcmt/config"
	"pcmt/hibp"
	"pcmt/store"
)

// fakeKeyCheck is an HIBP stand-in that takes one key.
func fakeKeyCheck(t *testing.T, good string) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("hibp-api-key"))
		mu.Unlock()
		if r.Header.Get("hibp-api-key") != good {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"SubscriptionName":"Pwned 1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestAdminSetsTheHIBPKey(t *testing.T) {
	const good = "0123456789abcdef0123456789abcdef"
	srv, seen := fakeKeyCheck(t, good)
	client, err := hibp.New(hibp.Options{BaseURL: srv.URL, PasswordsURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	d, logs := testDeps(t, func(c *config.Config) { c.HIBP.Enabled = true })
	d.HIBP = client
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	a.addUser("root", store.RoleAdmin, "a long admin passphrase", false)
	s := a.session()
	if resp := s.signIn("root", "a long admin passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}

	_, doc, _ := s.page("/admin/settings")
	if got := doc.Find(`[data-testid="hibp-key-state"]`).Text(); !strings.Contains(got, "No API key") {
		t.Fatalf("state before: %q", got)
	}
	resp, body := s.post("/admin/settings", "/admin/settings/hibp", url.Values{"api_key": {"not-a-key"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="api_key-error"]`).Length() != 1 {
		t.Fatalf("bad key: %d", resp.StatusCode)
	}
	resp, _ = s.post("/admin/settings", "/admin/settings/hibp", url.Values{"api_key": {good}})
	if resp.StatusCode != http.StatusSeeOther || !client.HasKey() {
		t.Fatalf("save: %d, key in use %v", resp.StatusCode, client.HasKey())
	}
	// Stored sealed: the database holds no plain key.
	raw, _ := a.h.store.Setting(context.Background(), breaches.HIBPKeySetting)
	if len(raw) == 0 || strings.Contains(string(raw), good) {
		t.Fatalf("stored setting %q", raw)
	}
	_, doc, _ = s.page("/admin/settings")
	if got := doc.Find(`[data-testid="hibp-key-state"]`).Text(); !strings.Contains(got, "ending in cdef") || strings.Contains(doc.Text(), good) {
		t.Fatalf("state after: %q", got)
	}
	s.post("/admin/settings", "/admin/settings/hibp/test", url.Values{})
	_, doc, _ = s.page("/admin/settings")
	if got := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "accepts the key") || len(*seen) != 1 || (*seen)[0] != good {
		t.Fatalf("test key: flash %q, HIBP saw %q", got, *seen)
	}
	// A restart loads the stored key.
	again, err := hibp.New(hibp.Options{BaseURL: srv.URL, PasswordsURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := testDeps(t, func(c *config.Config) { c.HIBP.Enabled = true })
	d2.Store, d2.Keys, d2.HIBP = a.h.store, a.deps.Keys, again
	if _, err := New(d2); err != nil || !again.HasKey() {
		t.Fatalf("restart: %v, key loaded %v", err, again.HasKey())
	}
	s.post("/admin/settings", "/admin/settings/hibp/delete", url.Values{})
	if client.HasKey() {
		t.Fatal("the removed key is still in use")
	}
	_, audit, _ := s.page("/admin/audit")
	if !strings.Contains(audit.Text(), "Have I Been Pwned API key changed") {
		t.Fatal("the key change is not in the audit log")
	}
}
