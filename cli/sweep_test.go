package cli

import (
	"context"
	"testing"
	"time"

	"filippo.io/age"

	"pcmt/account"
	"pcmt/store"
	"pcmt/store/storetest"
)

func TestSweepRemovesEndedSessionsAndKeys(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	u := &store.User{Username: "alice", Email: "alice@example.org", PasswordHash: "x", Role: store.RoleUser}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	vault := account.NewVault(10)
	now := time.Now()
	add := func(expires, seen time.Time) []byte {
		_, h := account.NewSessionID()
		if err := st.CreateSession(ctx, &store.Session{IDHash: h, UserID: u.ID, CreatedAt: now, LastSeenAt: seen, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
		vault.Bind(h, u.ID, id)
		return h
	}
	live := add(now.Add(time.Hour), now)
	expired := add(now.Add(-time.Minute), now)
	idle := add(now.Add(time.Hour), now.Add(-2*time.Hour))

	n, err := sweepOnce(ctx, st, vault, time.Hour, now)
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if !vault.Unlocked(live) || vault.Unlocked(expired) || vault.Unlocked(idle) {
		t.Fatal("the sweep kept the wrong keys")
	}
	if list, _ := st.Sessions(ctx, u.ID); len(list) != 1 {
		t.Fatalf("%d sessions left", len(list))
	}
}
