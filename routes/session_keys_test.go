package routes

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"pcmt/account"
	"pcmt/store"
)

// TestEverySessionEndDropsItsKey ends alice's session in every way a
// session ends and checks that the server no longer holds its unlocked
// key.
func TestEverySessionEndDropsItsKey(t *testing.T) {
	const password = "correct horse battery"
	admin := func(t *testing.T, a *testApp, action string, form url.Values) {
		t.Helper()
		a.addUser("root", store.RoleAdmin, "granite tower nights", false)
		ad := a.session()
		if resp := ad.signIn("root", "granite tower nights"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin sign-in: %d", resp.StatusCode)
		}
		u, err := a.h.store.UserByLogin(context.Background(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		path := "/admin/users/" + strconv.FormatInt(u.ID, 10)
		if resp, body := ad.post(path, path+"/"+action, form); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", action, resp.StatusCode, body)
		}
	}
	second := func(t *testing.T, a *testApp) *session {
		t.Helper()
		other := a.session()
		if resp := other.signIn("alice", password); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second sign-in: %d", resp.StatusCode)
		}
		return other
	}
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, a *testApp, s *session, hash []byte)
	}{
		{"sign-out", func(t *testing.T, a *testApp, s *session, _ []byte) {
			s.post("/settings", "/signout", nil)
		}},
		{"revoked from another browser", func(t *testing.T, a *testApp, _ *session, hash []byte) {
			other := second(t, a)
			if resp, _ := other.post("/settings/sessions", "/settings/sessions/revoke",
				url.Values{"session": {hex.EncodeToString(hash)}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("revoke: %d", resp.StatusCode)
			}
		}},
		{"sign out all others", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			if resp, _ := second(t, a).post("/settings/sessions", "/settings/sessions/revoke-others", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("revoke others: %d", resp.StatusCode)
			}
		}},
		{"password changed in another browser", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			if resp := second(t, a).changePassword(password, "a brand new passphrase"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("password change: %d", resp.StatusCode)
			}
		}},
		{"disabled by an admin", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			admin(t, a, "disable", nil)
		}},
		{"made an admin", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			admin(t, a, "role", url.Values{"role": {"admin"}})
		}},
		{"password reset by an admin", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			admin(t, a, "reset", url.Values{"confirm": {"yes"}})
		}},
		{"deleted by an admin", func(t *testing.T, a *testApp, _ *session, _ []byte) {
			admin(t, a, "delete", url.Values{"confirm_username": {"alice"}})
		}},
		{"idle too long, seen at its next request", func(t *testing.T, a *testApp, s *session, _ []byte) {
			a.h.now = func() time.Time { return time.Now().Add(a.h.cfg.Session.IdleTimeout.Std() + time.Minute) }
			signedOut(t, s)
		}},
		{"removed by another process, seen at its next request", func(t *testing.T, a *testApp, s *session, _ []byte) {
			u, _ := a.h.store.UserByLogin(context.Background(), "alice")
			// What pcmt user passwd does from the command line.
			if _, err := a.h.audit.ResetPassword(context.Background(), u.ID, store.PasswordChange{Hash: u.PasswordHash, MustChangePassword: true},
				time.Now(), &store.Activity{Event: store.EventPasswordReset}, noDetail); err != nil {
				t.Fatal(err)
			}
			signedOut(t, s)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, nil)
			_, s := a.newMember("alice", password)
			hash := currentHash(t, a, s)
			if !a.h.vault.Unlocked(hash) {
				t.Fatal("the session holds no key to begin with")
			}
			tc.end(t, a, s, hash)
			if a.h.vault.Unlocked(hash) {
				t.Fatal("the server still holds the key of the ended session")
			}
		})
	}
}

// TestPendingSignInsEndWithTheSessions: a sign-in waiting for its second
// factor holds the user's key; a password change elsewhere drops it, so
// that it can't become a session after every other one was revoked.
func TestPendingSignInsEndWithTheSessions(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	_, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)
	waiting := passwordStep(t, a)
	if resp := s.changePassword(tfPassword, "a brand new passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", resp.StatusCode)
	}
	if resp, _ := waiting.do(httptestGet("/signin/2fa")); resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
		t.Fatalf("the pending sign-in still asks for its code after the password change: %d", resp.StatusCode)
	}
	_, _, token := waiting.page("/signin")
	if resp, _ := waiting.postForm("/signin/2fa", url.Values{"csrf": {token}, "code": {account.TOTPCode(e.secret, clock.step()+1)}}); location(resp) == "/dashboard" || !signedOut(t, waiting) {
		t.Fatalf("the pending sign-in became a session after the password change: %d → %s", resp.StatusCode, location(resp))
	}
}
