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

// TestCreateUserByTheHandlersClock: an account an admin makes, and its log
// entry, carry the time of the handler's clock.
func TestCreateUserByTheHandlersClock(t *testing.T) {
	w := newAdminWorld(t)
	clock := time.Now().Add(time.Minute).UTC().Truncate(time.Microsecond)
	w.h.now = func() time.Time { return clock }
	resp, _ := w.admin.post("/admin/users/new", "/admin/users", url.Values{
		"username": {"carol"}, "email": {"carol@example.org"}, "password": {"a long chosen passphrase"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	carol, err := w.h.store.UserByLogin(context.Background(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.h.store.UserActivity(context.Background(), carol.ID, 10)
	if !carol.CreatedAt.Equal(clock) || err != nil || len(evs) != 1 || !evs[0].At.Equal(clock) {
		t.Fatalf("created at %v, logged %+v (%v); the clock says %v", carol.CreatedAt, evs, err, clock)
	}
}

// TestCreateUserIsAtomic: when the activity log refuses the entry of an
// account an admin makes, the request fails and no account is left.
func TestCreateUserIsAtomic(t *testing.T) {
	w := newAdminWorld(t)
	w.allowErrors("refused by the test", "route=/admin/users status=500")
	storetest.RefuseActivity(t, w.h.store, store.EventUserCreated)
	resp, _ := w.admin.post("/admin/users/new", "/admin/users", url.Values{"username": {"carol"}, "email": {"carol@example.org"}})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("create with its log entry refused: %d", resp.StatusCode)
	}
	if _, err := w.h.store.UserByLogin(context.Background(), "carol"); err == nil {
		t.Fatal("an account without its log entry")
	}
}
