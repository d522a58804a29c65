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

// TestSweepDropsKeysOfSessionsGone: keys of sessions whose rows another
// process removed (pcmt user passwd, a sweep of another server) are
// forgotten by the next sweep, even if their browsers never come back.
func TestSweepDropsKeysOfSessionsGone(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	vault := account.NewVault(10)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var hashes [][]byte
	var users []*store.User
	for _, name := range []string{"alice", "bob"} {
		u := &store.User{Username: name, Email: name + "@example.org", PasswordHash: "x", Role: store.RoleUser}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
		_, h := account.NewSessionID()
		if err := st.CreateSession(ctx, &store.Session{IDHash: h, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		vault.Bind(h, u.ID, id)
		hashes = append(hashes, h)
	}
	// What pcmt user passwd does, in its own process.
	if _, err := testAudit(st).ResetPassword(ctx, users[0].ID, store.PasswordChange{Hash: "y", MustChangePassword: true},
		now, &store.Activity{Event: store.EventPasswordReset}, noDetail); err != nil {
		t.Fatal(err)
	}
	// A key bound to no row at all.
	_, stray := account.NewSessionID()
	vault.Bind(stray, users[1].ID, id)

	n, err := sweepOnce(ctx, st, vault, time.Hour, now)
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v; want the 2 keys without sessions", n, err)
	}
	if vault.Unlocked(hashes[0]) || vault.Unlocked(stray) {
		t.Fatal("a key outlived its session")
	}
	if !vault.Unlocked(hashes[1]) {
		t.Fatal("the sweep dropped the key of a live session")
	}
}
