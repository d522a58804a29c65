package routes

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

// TestAccountEntriesOnTheHandlersClock: every entry a user's requests
// write, failures included, and the session a sign-in starts carry the
// time of the handler's clock.
func TestAccountEntriesOnTheHandlersClock(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.addUser("dora", store.RoleUser, "correct horse battery", false)
	clock := time.Now().Add(time.Minute).UTC().Truncate(time.Microsecond)
	a.h.now = func() time.Time { return clock }
	s := a.session()
	if resp := s.signIn("dora", "not the password"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if resp := s.signIn("dora", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	if resp, _ := s.post("/settings/tokens", "/settings/tokens", url.Values{
		"name": {"script"}, "scope": {store.ScopeSearch}, "expiry": {"30"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("new token: %d", resp.StatusCode)
	}
	ctx := context.Background()
	sessions, err := a.h.store.Sessions(ctx, u.ID)
	if err != nil || len(sessions) != 1 || !sessions[0].CreatedAt.Equal(clock) {
		t.Fatalf("sessions %+v (%v); the clock says %v", sessions, err, clock)
	}
	if resp, _ := s.post("/settings", "/signout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	evs, err := a.h.store.UserActivity(ctx, u.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.EventSignOut, store.EventTokenCreated, store.EventSignIn, store.EventSignInFailed}
	if len(evs) != len(want) {
		t.Fatalf("log %+v, want %v", evs, want)
	}
	for i, ev := range evs {
		if ev.Event != want[i] || !ev.At.Equal(clock) {
			t.Fatalf("entry %d: %s at %v, want %s at %v", i, ev.Event, ev.At, want[i], clock)
		}
	}
	if got, err := a.h.store.User(ctx, u.ID); err != nil || !got.LastSignInAt.Equal(clock) {
		t.Fatalf("last sign-in %v (%v)", got.LastSignInAt, err)
	}
}

// TestSignOutIsAtomic: when the log refuses a sign-out's entry the request
// fails and the session goes on, rather than ending unlogged.
func TestSignOutIsAtomic(t *testing.T) {
	a := newTestApp(t, nil)
	a.allowErrors("refused by the test", "route=/signout status=500")
	_, s := a.newMember("dora", "correct horse battery")
	storetest.RefuseActivity(t, a.h.store, store.EventSignOut)
	if resp, _ := s.post("/settings", "/signout", nil); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("sign-out with its entry refused: %d", resp.StatusCode)
	}
	if signedOut(t, s) {
		t.Fatal("the session ended unlogged")
	}
}
