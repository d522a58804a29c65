package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/account"
	"pcmt/config"
	"pcmt/store"
)

// newThrottleApp trusts the test connection as a proxy, so that each
// request can come from the client address its X-Forwarded-For names, and
// runs the throttle on a clock the test moves.
func newThrottleApp(t *testing.T) (*testApp, *time.Time) {
	t.Helper()
	a := newTestApp(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"0.0.0.0"} })
	now := time.Now()
	a.h.throttle = account.NewThrottle(func() time.Time { return now })
	return a, &now
}

// signInFrom posts the sign-in form from browser s at client address ip.
func (s *session) signInFrom(ip, login, password string) (*http.Response, string) {
	s.app.t.Helper()
	_, _, token := s.page("/signin")
	form := url.Values{"csrf": {token}, "username": {login}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return s.do(req)
}

// attackerIP is a different client address for each attempt i.
func attackerIP(i int) string { return "198.51.100." + strconv.Itoa(1+i%250) }

// TestUsernameAndEmailShareOneCounter: failures typed as the username and
// as the e-mail address (in any case) count against the one account, from
// whatever address they come.
func TestUsernameAndEmailShareOneCounter(t *testing.T) {
	a, _ := newThrottleApp(t)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	logins := []string{"alice", "alice@example.org", "ALICE", "Alice@Example.org"}
	for i := range a.h.throttle.Free + 1 {
		if resp, _ := a.session().signInFrom(attackerIP(i), logins[i%len(logins)], "wrong password!!"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	for i, login := range logins {
		resp, _ := a.session().signInFrom(attackerIP(100+i), login, "correct horse battery")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s after %d failures spread over the account's logins: %d", login, a.h.throttle.Free+1, resp.StatusCode)
		}
	}
}

// TestAttackerCannotKeepUserOut: someone guessing at alice's account from
// many addresses is slowed down, but alice's browser, which signed in to
// the account before, signs in with her password at once; a wrong password
// on it counts against that browser only.
func TestAttackerCannotKeepUserOut(t *testing.T) {
	a, now := newThrottleApp(t)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	a.addUser("mallory", store.RoleUser, "mallory's own password", false)
	const home = "203.0.113.10"
	alice := a.session()
	if resp, _ := alice.signInFrom(home, "alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice's first sign-in: %d", resp.StatusCode)
	}
	alice.post("/dashboard", "/signout", nil)

	// Mallory signs in to her own account: her browser is known to it,
	// not to alice's.
	mallory := a.session()
	if resp, _ := mallory.signInFrom(attackerIP(0), "mallory", "mallory's own password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mallory's own sign-in: %d", resp.StatusCode)
	}
	mallory.post("/dashboard", "/signout", nil)

	// The attack: fresh browsers and addresses, one guess each, kept up
	// past every wait.
	for i := range 30 {
		login := []string{"alice", "alice@example.org"}[i%2]
		a.session().signInFrom(attackerIP(i), login, "guess number "+strconv.Itoa(i))
		*now = now.Add(a.h.throttle.Base)
	}
	// The attacker is still slowed down: the right password from a new
	// browser and address, or from mallory's, is refused.
	for name, s := range map[string]*session{"a new browser": a.session(), "mallory's browser": mallory} {
		resp, body := s.signInFrom(attackerIP(200), "alice", "correct horse battery")
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts") {
			t.Fatalf("%s during the attack: %d", name, resp.StatusCode)
		}
	}
	// Alice's browser is not: her password works at once, from home or
	// from the attacker's own address.
	for _, ip := range []string{home, attackerIP(3)} {
		resp, _ := alice.signInFrom(ip, "alice", "correct horse battery")
		if resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
			t.Fatalf("alice's known browser at %s during the attack: %d", ip, resp.StatusCode)
		}
		alice.post("/dashboard", "/signout", nil)
	}
	// Her own mistakes count against her browser only.
	for range a.h.throttle.Free + 1 {
		alice.signInFrom(home, "alice", "a typo in it")
	}
	if resp, _ := alice.signInFrom(home, "alice", "correct horse battery"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("alice's browser after its own failures: %d", resp.StatusCode)
	}
	*now = now.Add(a.h.throttle.Base)
	if resp, _ := alice.signInFrom(home, "alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice's browser after its own wait: %d", resp.StatusCode)
	}
}

// TestUnknownLoginsThrottledLikeAccounts: a login that names no account
// gets the same answers, failure after failure, as one that does: the
// waits never tell whether an account exists.
func TestUnknownLoginsThrottledLikeAccounts(t *testing.T) {
	a, _ := newThrottleApp(t)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	for _, login := range []string{"alice", "nobody"} {
		var got []string
		for i := range a.h.throttle.Free + 2 {
			resp, _ := a.session().signInFrom(attackerIP(i), login, "wrong password!!")
			got = append(got, strconv.Itoa(resp.StatusCode)+" "+resp.Header.Get("Retry-After"))
		}
		want := strings.Repeat("422 |", a.h.throttle.Free+1) + "429 2|"
		if strings.Join(got, "|")+"|" != want {
			t.Fatalf("%s: %v, want %s", login, got, want)
		}
	}
}

// TestDeviceCookie: a successful sign-in leaves a device cookie the page's
// scripts can't read, sent only to this site, that names no account in
// clear; a failed one leaves none.
func TestDeviceCookie(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) { c.HTTP.Secure = true })
	u := a.addUser("alice", store.RoleUser, "correct horse battery", false)
	s := a.session()
	s.signIn("alice", "wrong password!!")
	if _, ok := s.cookies["__Host-pcmt_device"]; ok {
		t.Fatal("a failed sign-in made the browser known")
	}
	s.signIn("alice", "correct horse battery")
	c, ok := s.cookies["__Host-pcmt_device"]
	if !ok {
		t.Fatal("no device cookie after a sign-in")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("device cookie attributes: %+v", c)
	}
	if strings.Contains(c.Value, "alice") || strings.Contains(c.Value, strconv.FormatInt(u.ID, 10)+":") {
		t.Fatalf("the device cookie shows its account: %q", c.Value)
	}
	first := c.Value
	s.post("/dashboard", "/signout", nil)
	s.signIn("alice", "correct horse battery")
	if s.cookies["__Host-pcmt_device"].Value == first {
		t.Fatal("the device cookie was not renewed at the next sign-in")
	}
}
