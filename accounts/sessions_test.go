package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"pcmt/accounts"
	"pcmt/store"
	"pcmt/store/storetest"
)

// TestSignIn: a sign-in's session, the account's last sign-in and the log
// entry are made at the Service's clock, in one transaction.
func TestSignIn(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	n := accounts.NewSession{IDHash: bytes.Repeat([]byte{1}, 32), UserAgent: "curl/8", Lifetime: 12 * time.Hour}

	storetest.RefuseActivity(t, f.st, store.EventSignIn)
	if _, err := f.s.SignIn(ctx, by, n); err == nil {
		t.Fatal("signed in with the log refused")
	}
	if got := f.sessions(t, by); len(got) != 0 {
		t.Fatalf("a session started unlogged: %+v", got)
	}
	if !f.user(t, "dora").LastSignInAt.IsZero() {
		t.Fatal("an unlogged sign-in noted on the account")
	}

	f2, by2 := member(t)
	sess, err := f2.s.SignIn(ctx, by2, n)
	if err != nil {
		t.Fatal(err)
	}
	got := f2.sessions(t, by2)[string(n.IDHash)]
	if !got.CreatedAt.Equal(clock) || !got.LastSeenAt.Equal(clock) || !got.ExpiresAt.Equal(clock.Add(12*time.Hour)) ||
		got.IP != by2.IP || got.UserAgent != "curl/8" || got.UserID != by2.UserID || !sess.ExpiresAt.Equal(got.ExpiresAt) {
		t.Fatalf("session %+v (returned %+v)", got, sess)
	}
	if at := f2.user(t, "dora").LastSignInAt; !at.Equal(clock) {
		t.Fatalf("last sign-in %v", at)
	}
	f2.logged(t, by2, store.EventSignIn, "")
}

// TestStartSession: the session that survives a password change is on the
// Service's clock and logs nothing of its own.
func TestStartSession(t *testing.T) {
	f, by := member(t)
	before := f.entries(t, by)
	n := accounts.NewSession{IDHash: bytes.Repeat([]byte{2}, 32), Lifetime: time.Hour}
	if _, err := f.s.StartSession(context.Background(), by, n); err != nil {
		t.Fatal(err)
	}
	if got := f.sessions(t, by)[string(n.IDHash)]; !got.CreatedAt.Equal(clock) || !got.ExpiresAt.Equal(clock.Add(time.Hour)) {
		t.Fatalf("session %+v", got)
	}
	if f.entries(t, by) != before {
		t.Fatal("StartSession logged")
	}
}

// TestSignOut: the session ends with its log entry or not at all; one
// ended elsewhere a moment before is signed out all the same.
func TestSignOut(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	hash := f.session(t, by, 'a')
	storetest.RefuseActivity(t, f.st, store.EventSignOut)
	if err := f.s.SignOut(ctx, by, hash); err == nil {
		t.Fatal("signed out with the log refused")
	}
	if _, ok := f.sessions(t, by)[string(hash)]; !ok {
		t.Fatal("a session ended unlogged")
	}

	f, by = member(t)
	hash = f.session(t, by, 'a')
	if err := f.s.SignOut(ctx, by, hash); err != nil {
		t.Fatal(err)
	}
	if len(f.sessions(t, by)) != 0 {
		t.Fatal("the session lives on")
	}
	f.logged(t, by, store.EventSignOut, "")
	before := f.entries(t, by)
	if err := f.s.SignOut(ctx, by, hash); err != nil || f.entries(t, by) != before+1 {
		t.Fatalf("sign-out of a session gone: %v, %d entries after %d", err, f.entries(t, by), before)
	}
}

// TestRevokeSession: a user ends one of their other sessions, never
// someone else's, with its log entry or not at all.
func TestRevokeSession(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	keep, other := f.session(t, by, 'k'), f.session(t, by, 'o')
	c, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "eve", Email: "eve@example.org", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	eve := accounts.Self{UserID: c.User.ID}
	evesHash := f.session(t, eve, 'e')

	before := f.entries(t, by)
	if err := f.s.RevokeSession(ctx, by, evesHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("someone else's session: %v", err)
	}
	if len(f.sessions(t, eve)) != 1 || f.entries(t, by) != before {
		t.Fatal("someone else's session ended, or the refusal logged")
	}

	storetest.RefuseActivity(t, f.st, store.EventSessionsRevoked)
	if err := f.s.RevokeSession(ctx, by, other); err == nil {
		t.Fatal("revoked with the log refused")
	}
	if len(f.sessions(t, by)) != 2 {
		t.Fatal("a session ended unlogged")
	}

	f, by = member(t)
	keep, other = f.session(t, by, 'k'), f.session(t, by, 'o')
	if err := f.s.RevokeSession(ctx, by, other); err != nil {
		t.Fatal(err)
	}
	if got := f.sessions(t, by); len(got) != 1 || got[string(keep)].UserID != by.UserID {
		t.Fatalf("sessions left: %+v", got)
	}
	f.logged(t, by, store.EventSessionsRevoked, "1 session")
}

// TestRevokeOtherSessions: every session but the kept one ends, counted in
// the log entry, or none does.
func TestRevokeOtherSessions(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	keep := f.session(t, by, 'k')
	f.session(t, by, 'o')
	f.session(t, by, 'p')
	storetest.RefuseActivity(t, f.st, store.EventSessionsRevoked)
	if _, err := f.s.RevokeOtherSessions(ctx, by, keep); err == nil {
		t.Fatal("revoked with the log refused")
	}
	if len(f.sessions(t, by)) != 3 {
		t.Fatal("sessions ended unlogged")
	}

	f, by = member(t)
	keep = f.session(t, by, 'k')
	f.session(t, by, 'o')
	f.session(t, by, 'p')
	n, err := f.s.RevokeOtherSessions(ctx, by, keep)
	if err != nil || n != 2 {
		t.Fatalf("revoked %d: %v", n, err)
	}
	if got := f.sessions(t, by); len(got) != 1 || got[string(keep)].UserID != by.UserID {
		t.Fatalf("sessions left: %+v", got)
	}
	f.logged(t, by, store.EventSessionsRevoked, "2 sessions")
}
