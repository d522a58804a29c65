package breaches_test

import (
	"context"
	"testing"
	"time"

	"pcmt/breaches"
	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// clock is the fixed time the tests' Service reads.
var clock = time.Date(2031, 4, 5, 6, 7, 8, 0, time.UTC)

// keys are the tests' secrets: the audit key chains the log and seals
// settings.
var keys = config.Keys{Audit: []byte("an audit key of the breaches tests")}

// admin is the actor of the pages' use cases.
var admin = breaches.Actor{ID: 1, IP: "192.0.2.9"}

// newService is a Service over st with the tests' keys and clock, and the
// engines of d.
func newService(st *store.Store, d breaches.Deps) *breaches.Service {
	d.Store, d.Keys, d.Now = st, keys, func() time.Time { return clock }
	return breaches.New(d)
}

// newStore is a fresh database in which admin's account exists (jobs name
// their maker).
func newStore(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.New(t)
	u := &store.User{Username: "boss", Email: "boss@example.org", PasswordHash: "x", Role: store.RoleAdmin}
	if err := st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if u.ID != admin.ID {
		t.Fatalf("the admin is user %d, want %d", u.ID, admin.ID)
	}
	return st
}

// log is the activity log of st, newest first.
func log(t *testing.T, st *store.Store) []store.AdminAction {
	t.Helper()
	acts, err := st.AdminActions(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

// logged fails unless st's log holds exactly one entry, of event by a at
// the clock with detail.
func logged(t *testing.T, st *store.Store, a breaches.Actor, event, detail string) {
	t.Helper()
	acts := log(t, st)
	if len(acts) != 1 {
		t.Fatalf("%d log entries, want 1: %+v", len(acts), acts)
	}
	got := acts[0]
	if got.Event != event || got.ActorID != a.ID || got.IP != a.IP || got.Detail != detail || !got.At.Equal(clock) || got.UserID != 0 {
		t.Fatalf("log entry %+v, want %s by %+v at %s: %q", got.Activity, event, a, clock, detail)
	}
	if n, err := st.Auditor(keys.Audit).Verify(context.Background()); err != nil || n != 1 {
		t.Fatalf("log chain: %d rows, %v", n, err)
	}
}

// unlogged fails when st's log holds anything.
func unlogged(t *testing.T, st *store.Store) {
	t.Helper()
	if acts := log(t, st); len(acts) != 0 {
		t.Fatalf("%d log entries, want none: %+v", len(acts), acts)
	}
}

// jobCount is how many import and sync jobs st holds.
func jobCount(t *testing.T, st *store.Store) int {
	t.Helper()
	jobs, err := st.ImportJobs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}
