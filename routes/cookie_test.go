package routes

import (
	"net/http"
	"testing"

	"pcmt/config"
)

// TestCookieKeyRotation: after new cookie keys are configured with the old
// ones kept as OldCookie*, sessions made under the old keys still work; once
// the old keys are dropped, they end.
func TestCookieKeyRotation(t *testing.T) {
	d, _ := testDeps(t, nil)
	oldKeys := d.Keys
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, deps: d}
	_, s := a.newMember("alice", "correct horse battery")

	rotated := testKeys()
	rotated.Audit = oldKeys.Audit
	rotated.OldCookieAuth, rotated.OldCookieEncr = oldKeys.CookieAuth, oldKeys.CookieEncr
	restart := func(keys config.Keys) *testApp {
		d2 := d
		d2.Keys = keys
		app2, h2, err := newApp(d2)
		if err != nil {
			t.Fatal(err)
		}
		h2.vault = h.vault // the same process: the unlocked key is still in memory
		return &testApp{t: t, app: app2, h: h2, deps: d2}
	}

	during := restart(rotated)
	s.app = during
	if signedOut(t, s) {
		t.Fatal("a session made under the old keys ended while they are still configured")
	}

	rotated.OldCookieAuth, rotated.OldCookieEncr = nil, nil
	after := restart(rotated)
	s.app = after
	resp, _ := s.do(httptestGet("/settings"))
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
		t.Fatalf("a cookie under retired keys still works: %d", resp.StatusCode)
	}
	// A fresh sign-in under the new keys works.
	fresh := after.session()
	if resp := fresh.signIn("alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in under new keys: %d", resp.StatusCode)
	}
}
