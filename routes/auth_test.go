package routes

import (
	"bytes"
	"context"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"pcmt/account"
	"pcmt/breach"
	"pcmt/store"
)

func TestSignInSameAnswerForUnknownAndWrong(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	var bodies []string
	for _, login := range []string{"alice", "nobody"} {
		s := a.session()
		_, _, token := s.page("/signin")
		resp, body := s.postForm("/signin", url.Values{"csrf": {token}, "username": {login}, "password": {"wrong password!"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", login, resp.StatusCode)
		}
		msg := parseHTML(t, body).Find(`[data-testid="form-error"]`).Text()
		if msg != badCredentials {
			t.Fatalf("%s: message %q", login, msg)
		}
		bodies = append(bodies, msg)
	}
	if bodies[0] != bodies[1] {
		t.Fatal("the answers differ")
	}
}

func TestSignInByUsernameOrEmail(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	for _, login := range []string{"alice", "Alice@Example.org"} {
		s := a.session()
		resp := s.signIn(login, "correct horse battery")
		if resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
			t.Fatalf("%s: %d → %s", login, resp.StatusCode, location(resp))
		}
		if code, _, _ := s.page("/dashboard"); code != 200 {
			t.Fatalf("dashboard after sign-in: %d", code)
		}
	}
}

func TestSessionIDChangesAtSignIn(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)

	// An attacker plants a well-formed session cookie of their choosing.
	planted, plantedHash := account.NewSessionID()
	c := a.app.AcquireCtx(newRequestCtx(t, "GET", "/", "127.0.0.1:1"))
	if err := a.h.cookies.session.set(c, planted, a.h.now()); err != nil {
		t.Fatal(err)
	}
	raw := string(c.Response().Header.PeekCookie(a.h.cookies.session.name))
	a.app.ReleaseCtx(c)
	cookie, err := http.ParseSetCookie(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := a.session()
	s.cookies[cookie.Name] = cookie

	if resp := s.signIn("alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	got := s.cookies[a.h.cookies.session.name]
	if got == nil || got.Value == cookie.Value {
		t.Fatal("the session cookie was not replaced at sign-in")
	}
	if _, _, err := a.h.store.SessionUser(context.Background(), plantedHash); err == nil {
		t.Fatal("the planted id became a session")
	}
	sessions, _ := a.h.store.Sessions(context.Background(), 1)
	if len(sessions) != 1 || bytes.Equal(sessions[0].IDHash, plantedHash) {
		t.Fatalf("sessions after sign-in: %d", len(sessions))
	}
}

// steal copies the victim's cookies into a new browser.
func steal(a *testApp, victim *session) *session {
	thief := a.session()
	for k, v := range victim.cookies {
		c := *v
		thief.cookies[k] = &c
	}
	return thief
}

func signedOut(t *testing.T, s *session) bool {
	t.Helper()
	resp, _ := s.do(httptestGet("/settings"))
	return resp.StatusCode == http.StatusSeeOther && location(resp) == "/signin"
}

func TestStolenCookieStopsWorking(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke func(t *testing.T, a *testApp, victim *session, thief *session)
	}{
		{"password change", func(t *testing.T, a *testApp, victim, _ *session) {
			if resp := victim.changePassword("correct horse battery", "a brand new passphrase"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("password change: %d", resp.StatusCode)
			}
		}},
		{"revocation of that session", func(t *testing.T, a *testApp, victim, thief *session) {
			// The thief's copy is the victim's own session: end it from a
			// second browser of the victim's.
			other := a.session()
			other.signIn("alice", "correct horse battery")
			list, _ := a.h.store.Sessions(context.Background(), 1)
			for _, sess := range list {
				if !bytes.Equal(sess.IDHash, currentHash(t, a, other)) {
					resp, _ := other.post("/settings/sessions", "/settings/sessions/revoke", url.Values{"session": {hex.EncodeToString(sess.IDHash)}})
					if resp.StatusCode != http.StatusSeeOther {
						t.Fatalf("revoke: %d", resp.StatusCode)
					}
				}
			}
		}},
		{"sign out all others", func(t *testing.T, a *testApp, _, _ *session) {
			other := a.session()
			other.signIn("alice", "correct horse battery")
			if resp, _ := other.post("/settings/sessions", "/settings/sessions/revoke-others", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("revoke others: %d", resp.StatusCode)
			}
		}},
		{"sign-out", func(t *testing.T, a *testApp, victim, _ *session) {
			victim.post("/settings", "/signout", nil)
		}},
		{"absolute expiry", func(t *testing.T, a *testApp, victim, _ *session) {
			// Keep the session busy so that only the absolute end applies.
			start := time.Now()
			for d := time.Duration(0); d < a.h.cfg.Session.MaxAge.Std(); d += time.Hour {
				a.h.now = func() time.Time { return start.Add(d) }
				if signedOut(t, victim) {
					t.Fatalf("signed out after %v of activity, before Session.MaxAge", d)
				}
			}
			a.h.now = func() time.Time { return start.Add(a.h.cfg.Session.MaxAge.Std()) }
		}},
		{"idle timeout", func(t *testing.T, a *testApp, _, _ *session) {
			idle := a.h.cfg.Session.IdleTimeout.Std()
			a.h.now = func() time.Time { return time.Now().Add(idle + time.Minute) }
		}},
		{"server restart (key no longer in memory)", func(t *testing.T, a *testApp, _, _ *session) {
			a.h.vault.DropUser(1, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, nil)
			_, victim := a.newMember("alice", "correct horse battery")
			thief := steal(a, victim)
			if signedOut(t, thief) {
				t.Fatal("the copied cookie does not work to begin with")
			}
			tc.revoke(t, a, victim, thief)
			if !signedOut(t, thief) {
				t.Fatal("the stolen cookie still works")
			}
		})
	}
}

func currentHash(t *testing.T, a *testApp, s *session) []byte {
	t.Helper()
	c := a.app.AcquireCtx(newRequestCtx(t, "GET", "/", "127.0.0.1:1"))
	defer a.app.ReleaseCtx(c)
	ck := s.cookies[a.h.cookies.session.name]
	c.Request().Header.SetCookie(ck.Name, ck.Value)
	id := a.h.sessionID(c)
	if id == nil {
		t.Fatal("no valid session cookie")
	}
	return account.HashSessionID(id)
}

func TestMustChangePasswordFirst(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("admin", store.RoleAdmin, "initial admin password", true)
	s := a.session()
	resp := s.signIn("admin", "initial admin password")
	if location(resp) != "/settings/password" {
		t.Fatalf("after sign-in: %s", location(resp))
	}
	for _, path := range []string{"/settings", "/settings/sessions", "/settings/activity", "/admin/users", "/dashboard"} {
		resp, _ := s.do(httptestGet(path))
		if resp.StatusCode != http.StatusSeeOther || location(resp) != "/settings/password" {
			t.Fatalf("%s: %d → %s", path, resp.StatusCode, location(resp))
		}
	}
	if code, doc, _ := s.page("/settings/password"); code != 200 || doc.Find(`[data-testid="forced"]`).Length() != 1 {
		t.Fatalf("password page: %d", code)
	}
	if resp := s.changePassword("initial admin password", "a root passphrase of my own"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	u, _ := a.h.store.UserByLogin(context.Background(), "admin")
	if u.MustChangePassword || !u.HasVault() {
		t.Fatalf("after the forced change: must=%v vault=%v", u.MustChangePassword, u.HasVault())
	}
	if code, _, _ := s.page("/settings"); code != 200 {
		t.Fatalf("settings after the change: %d", code)
	}
}

func TestPasswordChangeRules(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("alice", "correct horse battery")
	for _, tc := range []struct {
		current, next, confirm, field string
	}{
		{"wrong current one", "a fine new passphrase", "a fine new passphrase", "current_password"},
		{"correct horse battery", "short", "short", "new_password"},
		{"correct horse battery", "password123", "password123", "new_password"},
		{"correct horse battery", "a fine new passphrase", "a different one", "new_password_confirm"},
		{"correct horse battery", "correct horse battery", "correct horse battery", "new_password"},
	} {
		resp, body := s.post("/settings/password", "/settings/password", url.Values{
			"current_password": {tc.current}, "new_password": {tc.next}, "new_password_confirm": {tc.confirm},
		})
		doc := parseHTML(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="`+tc.field+`-error"]`).Length() != 1 {
			t.Fatalf("%+v: %d, no message beside %s", tc, resp.StatusCode, tc.field)
		}
	}
	// Nothing changed: the old password still signs in.
	if resp := a.session().signIn("alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("a refused change altered the password")
	}
}

func TestCSRFLessPostChangesNothing(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("alice", "correct horse battery")
	resp, _ := s.postForm("/settings/password", url.Values{
		"current_password": {"correct horse battery"}, "new_password": {"attacker's password!"}, "new_password_confirm": {"attacker's password!"},
	})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	resp, _ = s.postForm("/settings/sessions/revoke-others", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp := a.session().signIn("alice", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("the password changed without a token")
	}
	if list, _ := a.h.store.Sessions(context.Background(), 1); len(list) != 2 {
		t.Fatalf("%d sessions: a token-less revoke went through", len(list))
	}
}

func TestThrottleKicksInAndRelaxes(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("alice", store.RoleUser, "correct horse battery", false)
	now := time.Now()
	a.h.throttle = account.NewThrottle(func() time.Time { return now })
	try := func(password string) (*http.Response, string) {
		s := a.session()
		_, _, token := s.page("/signin")
		return s.postForm("/signin", url.Values{"csrf": {token}, "username": {"alice"}, "password": {password}})
	}
	for range a.h.throttle.Free + 1 {
		if resp, _ := try("wrong password!!"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	resp, body := try("correct horse battery")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("throttled: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	now = now.Add(a.h.throttle.Base + time.Second)
	if resp, _ := try("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the wait: %d", resp.StatusCode)
	}
	evs, _ := a.h.store.UserActivity(context.Background(), 1, 50)
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.Event]++
	}
	if seen[store.EventSignInFailed] != a.h.throttle.Free+1 || seen[store.EventSignInThrottled] != 1 || seen[store.EventSignIn] != 1 {
		t.Fatalf("activity: %v", seen)
	}
}

func TestDisabledUserCannotSignIn(t *testing.T) {
	a := newTestApp(t, nil)
	a.addUser("root", store.RoleAdmin, "root's long password", false)
	u := a.addUser("alice", store.RoleUser, "correct horse battery", false)
	s := a.session()
	s.signIn("alice", "correct horse battery")
	if _, err := a.h.audit.Disable(context.Background(), u.ID, &store.Activity{Event: store.EventUserDisabled}, noDetail); err != nil {
		t.Fatal(err)
	}
	if !signedOut(t, s) {
		t.Fatal("a disabled user's session still works")
	}
	resp, body := a.session().postFormWithToken("/signin", url.Values{"username": {"alice"}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, badCredentials) {
		t.Fatalf("disabled sign-in: %d", resp.StatusCode)
	}
}

// TestKeyNeverLeaves: the unwrapped key of a user lives only in server
// memory: not in the database file, any cookie, or the log.
func TestKeyNeverLeaves(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("alice", "correct horse battery")
	s.page("/dashboard")
	id, err := a.h.vault.Identity(currentHash(t, a, s))
	if err != nil {
		t.Fatal(err)
	}
	secret := id.String()
	if !strings.HasPrefix(secret, "AGE-SECRET-KEY-1") {
		t.Fatalf("unexpected identity form %q", secret[:10])
	}
	needles := []string{secret, strings.ToLower(secret), strings.TrimPrefix(secret, "AGE-SECRET-KEY-1")}

	matches, _ := filepath.Glob(a.h.store.Path() + "*")
	for _, f := range matches {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) {
				t.Fatalf("%s holds the key", filepath.Base(f))
			}
		}
	}
	for _, c := range s.cookies {
		for _, n := range needles {
			if strings.Contains(c.Value, n) {
				t.Fatalf("cookie %s holds the key", c.Name)
			}
		}
	}
	for _, n := range needles {
		if strings.Contains(a.log.String(), n) {
			t.Fatal("the log holds the key")
		}
	}
	if strings.Contains(a.log.String(), "correct horse battery") {
		t.Fatal("the log holds the password")
	}
}

func TestBcryptUpgradedAtSignIn(t *testing.T) {
	a := newTestApp(t, nil)
	old, err := bcrypt.GenerateFromPassword([]byte("legacy horse battery"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "legacy", Email: "legacy@example.org", PasswordHash: string(old), Role: store.RoleUser}
	if err := a.h.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if resp := a.session().signIn("legacy", "legacy horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bcrypt sign-in: %d", resp.StatusCode)
	}
	got, _ := a.h.store.User(context.Background(), u.ID)
	if !strings.HasPrefix(got.PasswordHash, "$argon2id$") || got.LastSignInAt.IsZero() {
		t.Fatalf("after sign-in: hash %.12s…, last sign-in %v", got.PasswordHash, got.LastSignInAt)
	}
	if resp := a.session().signIn("legacy", "legacy horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("the upgraded hash does not verify")
	}
}

// A password the instance's breach data holds is refused, whether it is in
// the Pwned Passwords corpus or in an imported breach.
func TestBreachedPasswordsAreRefused(t *testing.T) {
	a := newTestApp(t, nil)
	ctx := context.Background()
	inBreach, inCorpus := breach.PasswordDigest([]byte("a breached passphrase")), breach.PasswordDigest([]byte("a pwned passphrase"))
	if _, err := a.h.store.ImportBreaches(ctx, []store.NewBreach{{
		Breach:  store.Breach{Name: "Leak"},
		Records: []store.DigestSource{store.DigestSlice(store.RecordSHA1, [][]byte{inBreach[:]})},
	}}, store.ImportOptions{Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	w, _ := a.h.store.NewPwnedWriter(store.PwnedSHA1)
	if err := w.Add(ctx, inCorpus[:], 3); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, s := a.newMember("alice", "correct horse battery")
	for _, pw := range []string{"a breached passphrase", "a pwned passphrase"} {
		resp, body := s.post("/settings/password", "/settings/password", url.Values{
			"current_password": {"correct horse battery"}, "new_password": {pw}, "new_password_confirm": {pw},
		})
		msg := parseHTML(t, body).Find(`[data-testid="new_password-error"]`).Text()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "known data breach") {
			t.Fatalf("%q: %d, message %q", pw, resp.StatusCode, msg)
		}
	}
	resp, _ := s.post("/settings/password", "/settings/password", url.Values{
		"current_password": {"correct horse battery"}, "new_password": {"an unbreached passphrase"}, "new_password_confirm": {"an unbreached passphrase"},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a clean password was refused: %d", resp.StatusCode)
	}
}
