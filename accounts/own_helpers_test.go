package accounts_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"pcmt/accounts"
	"pcmt/store"
)

// member is a fixture with one user, who acts on their own account from
// the address ip.
func member(t *testing.T) (*fixture, accounts.Self) {
	t.Helper()
	f := newFixture(t)
	c, err := f.s.CreateUser(context.Background(), accounts.NewUser{Username: "dora", Email: "dora@example.org", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	return f, accounts.Self{UserID: c.User.ID, IP: "198.51.100.7"}
}

// logged fails t unless the newest entry of by's log is event with detail,
// by by, from by's address, at the Service's clock.
func (f *fixture) logged(t *testing.T, by accounts.Self, event, detail string) {
	t.Helper()
	ev := f.activity(t, by.UserID)
	if len(ev) == 0 || ev[0].Event != event || ev[0].Detail != detail || ev[0].ActorID != by.UserID ||
		ev[0].IP != by.IP || !ev[0].At.Equal(clock) {
		t.Fatalf("newest entry %+v, want %s %q by %d from %s at %v", ev, event, detail, by.UserID, by.IP, clock)
	}
}

// entries counts by's log entries.
func (f *fixture) entries(t *testing.T, by accounts.Self) int {
	t.Helper()
	return len(f.activity(t, by.UserID))
}

// session stores a session of by's named by the byte b.
func (f *fixture) session(t *testing.T, by accounts.Self, b byte) []byte {
	t.Helper()
	hash := bytes.Repeat([]byte{b}, 32)
	if err := f.st.CreateSession(context.Background(), &store.Session{IDHash: hash, UserID: by.UserID,
		CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return hash
}

// sessions are the id hashes of by's sessions.
func (f *fixture) sessions(t *testing.T, by accounts.Self) map[string]store.Session {
	t.Helper()
	list, err := f.st.Sessions(context.Background(), by.UserID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Session{}
	for _, s := range list {
		out[string(s.IDHash)] = s
	}
	return out
}
