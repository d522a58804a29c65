package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestSessionCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	s.sessions.now = func() time.Time { return clock }
	u := &User{Username: "alice", Email: "alice@example.org", PasswordHash: "x", Role: RoleUser}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	h := make([]byte, 32)
	if err := s.CreateSession(ctx, &Session{IDHash: h, UserID: u.ID, CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	_, first, err := s.SessionUser(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.sessions.get(h); !ok {
		t.Fatal("the answer was not cached")
	}
	first.Role = RoleAdmin // callers get copies: this must not reach the cache
	if _, again, _ := s.SessionUser(ctx, h); again.Role != RoleUser {
		t.Fatal("a caller's change leaked into the cache")
	}

	// A write of this process applies to the very next lookup.
	audit := s.Auditor(make([]byte, 32))
	if _, err := audit.Disable(ctx, u.ID, &Activity{Event: EventUserDisabled}, func(int) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, h); err == nil {
		t.Fatal("the revoked session was served from the cache")
	}

	// A write of another process applies once the entry is older than the TTL.
	if err := audit.Enable(ctx, u.ID, &Activity{Event: EventUserEnabled}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, &Session{IDHash: h, UserID: u.ID, CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.r.ExecContext(ctx, "SELECT 1"); err != nil { // the reader pool works
		t.Fatal(err)
	}
	other, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Auditor(make([]byte, 32)).DeleteSessions(ctx, u.ID, nil, &Activity{Event: EventSessionsRevoked},
		func(int) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, h); err != nil {
		t.Fatal("within the TTL the cached answer stands")
	}
	clock = clock.Add(sessionTTL + time.Millisecond)
	if _, _, err := s.SessionUser(ctx, h); err == nil {
		t.Fatal("after the TTL, another process's revocation is not seen")
	}
}
