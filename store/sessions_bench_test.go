package store_test

import (
	"context"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

// BenchmarkSessionUser is the lookup every signed-in request makes.
func BenchmarkSessionUser(b *testing.B) {
	ctx := context.Background()
	s := storetest.New(b)
	u := &store.User{Username: "alice", Email: "alice@example.org", PasswordHash: "x", Role: store.RoleUser}
	if err := s.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	h := make([]byte, 32)
	h[0] = 7
	now := time.Now()
	if err := s.CreateSession(ctx, &store.Session{IDHash: h, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.SessionUser(ctx, h); err != nil {
			b.Fatal(err)
		}
	}
}
