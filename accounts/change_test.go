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

// admins is a fixture with two admins and a user, each with a session and
// an API token.
func admins(t *testing.T) (f *fixture, ann, bob, carl *store.User) {
	t.Helper()
	f = newFixture(t)
	ctx := context.Background()
	make := func(name string, role store.Role) *store.User {
		c, err := f.s.CreateUser(ctx, accounts.NewUser{Username: name, Email: name + "@example.org", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		sess := &store.Session{IDHash: bytes.Repeat([]byte(name[:1]), 32), UserID: c.User.ID,
			CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}
		if err := f.st.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CreateToken(ctx, store.NewToken{UserID: c.User.ID, Name: "script", Digest: bytes.Repeat([]byte(name[:1]), 32),
			Prefix: name[:4], Scopes: []string{"search"}, CreatedAt: clock, ExpiresAt: clock.Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return c.User
	}
	return f, make("anna", store.RoleAdmin), make("bobby", store.RoleAdmin), make("carla", store.RoleUser)
}

// ended says whether u has no session and no working token left.
func (f *fixture) ended(t *testing.T, u *store.User) bool {
	t.Helper()
	ctx := context.Background()
	sessions, err := f.st.Sessions(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := f.st.Tokens(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if !tok.Revoked() {
			return false
		}
	}
	return len(sessions) == 0
}

// TestSetRole: an admin may demote themselves but never promote
// themselves; the last admin stays one; a change ends the account's
// sessions and tokens, with its log entry.
func TestSetRole(t *testing.T) {
	f, ann, bob, carl := admins(t)
	ctx := context.Background()
	by := func(actor, u *store.User) accounts.Change {
		return accounts.Change{User: u, ActorID: actor.ID, IP: "192.0.2.9"}
	}
	if _, err := f.s.SetRole(ctx, by(ann, carl), "root"); !errors.Is(err, accounts.ErrNoRole) {
		t.Fatalf("unknown role: %v", err)
	}
	if _, err := f.s.SetRole(ctx, by(ann, carl), store.RoleUser); !errors.Is(err, accounts.ErrUnchanged) {
		t.Fatalf("same role: %v", err)
	}
	if _, err := f.s.SetRole(ctx, by(ann, ann), store.RoleAdmin); !errors.Is(err, accounts.ErrSelfPromotion) {
		t.Fatalf("self-promotion (already admin): %v", err)
	}

	n, err := f.s.SetRole(ctx, by(ann, bob), store.RoleUser)
	if err != nil || n != 1 || !f.ended(t, bob) {
		t.Fatalf("demote bob: %d %v", n, err)
	}
	if ev := f.activity(t, bob.ID); ev[0].Event != store.EventRoleChanged || ev[0].ActorID != ann.ID ||
		ev[0].IP != "192.0.2.9" || !ev[0].At.Equal(clock) || ev[0].Detail != "admin → user" {
		t.Fatalf("bob's log: %+v", ev[0])
	}
	if _, err := f.s.SetRole(ctx, by(bob, bob), store.RoleAdmin); !errors.Is(err, accounts.ErrSelfPromotion) {
		t.Fatalf("self-promotion: %v", err)
	}
	if _, err := f.s.SetRole(ctx, by(ann, ann), store.RoleUser); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("last admin's demotion: %v", err)
	}
	if f.user(t, "anna").Role != store.RoleAdmin || f.ended(t, ann) {
		t.Fatal("a refused demotion changed the last admin")
	}
	if _, err := f.s.SetRole(ctx, by(ann, carl), store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.SetRole(ctx, by(ann, ann), store.RoleUser); err != nil || n != 1 || !f.ended(t, ann) {
		t.Fatalf("self-demotion with another admin: %d %v", n, err)
	}
}

// TestDisableEnableDelete: the last admin can't be disabled or deleted;
// disabling ends sessions and tokens; each is logged.
func TestDisableEnableDelete(t *testing.T) {
	f, ann, bob, carl := admins(t)
	ctx := context.Background()
	if _, err := f.s.Disable(ctx, accounts.Change{User: bob, ActorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	if !f.user(t, "bobby").Disabled || !f.ended(t, bob) {
		t.Fatal("bob not disabled and signed out")
	}
	if ev := f.activity(t, bob.ID); ev[0].Event != store.EventUserDisabled || ev[0].Detail != "1 session signed out" {
		t.Fatalf("bob's log: %+v", ev[0])
	}
	if _, err := f.s.Disable(ctx, accounts.Change{User: bob, ActorID: ann.ID}); !errors.Is(err, accounts.ErrUnchanged) {
		t.Fatalf("disabled twice: %v", err)
	}
	if _, err := f.s.Disable(ctx, accounts.Change{User: ann, ActorID: ann.ID}); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("last admin disabled: %v", err)
	}
	if err := f.s.Delete(ctx, accounts.Change{User: ann, ActorID: ann.ID}); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("last admin deleted: %v", err)
	}
	if u := f.user(t, "anna"); u.Disabled || f.ended(t, ann) {
		t.Fatal("a refusal changed the last admin")
	}
	if err := f.s.Enable(ctx, accounts.Change{User: carl, ActorID: ann.ID}); !errors.Is(err, accounts.ErrUnchanged) {
		t.Fatalf("enable an enabled account: %v", err)
	}
	if err := f.s.Enable(ctx, accounts.Change{User: bob, ActorID: ann.ID}); err != nil || f.user(t, "bobby").Disabled {
		t.Fatalf("enable: %v", err)
	}
	if ev := f.activity(t, bob.ID); ev[0].Event != store.EventUserEnabled || ev[0].ActorID != ann.ID {
		t.Fatalf("bob's log: %+v", ev[0])
	}
	if err := f.s.Delete(ctx, accounts.Change{User: carl, ActorID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UserByLogin(ctx, "carla"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("carla after delete: %v", err)
	}
	if ev := f.activity(t, carl.ID); ev[0].Event != store.EventUserDeleted || ev[0].Detail != "account carla" {
		t.Fatalf("carla's log: %+v", ev[0])
	}
}

// TestSetEmail: a valid, new, free address, logged as by an admin unless
// the admins changed their own.
func TestSetEmail(t *testing.T) {
	f, ann, bob, _ := admins(t)
	ctx := context.Background()
	if err := f.s.SetEmail(ctx, accounts.Change{User: bob, ActorID: ann.ID}, "not an address"); !refusedOnly(accounts.FieldEmail)(err) {
		t.Fatalf("bad address: %v", err)
	}
	if err := f.s.SetEmail(ctx, accounts.Change{User: bob, ActorID: ann.ID}, bob.Email); !errors.Is(err, accounts.ErrUnchanged) {
		t.Fatalf("same address: %v", err)
	}
	if err := f.s.SetEmail(ctx, accounts.Change{User: bob, ActorID: ann.ID}, "carla@example.org"); !errors.Is(err, store.ErrEmailTaken) {
		t.Fatalf("taken address: %v", err)
	}
	if err := f.s.SetEmail(ctx, accounts.Change{User: bob, ActorID: ann.ID}, "bob@example.net"); err != nil || f.user(t, "bobby").Email != "bob@example.net" {
		t.Fatalf("set: %v", err)
	}
	if ev := f.activity(t, bob.ID); ev[0].Event != store.EventEmailChanged || ev[0].Detail != "by an admin" {
		t.Fatalf("bob's log: %+v", ev[0])
	}
	if err := f.s.SetEmail(ctx, accounts.Change{User: ann, ActorID: ann.ID}, "ann@example.net"); err != nil {
		t.Fatal(err)
	}
	if ev := f.activity(t, ann.ID); ev[0].Detail != "" {
		t.Fatalf("ann's log: %+v", ev[0])
	}
}

// TestAdminChangesAreAtomic: when the activity log refuses an admin
// action's entry, the account is left as it was, its sessions and tokens
// included.
func TestAdminChangesAreAtomic(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		event string
		do    func(*fixture, accounts.Change) error
		same  func(*testing.T, *fixture, *store.User) bool
	}{
		{store.EventRoleChanged, func(f *fixture, c accounts.Change) error {
			_, err := f.s.SetRole(ctx, c, store.RoleUser)
			return err
		}, func(t *testing.T, f *fixture, u *store.User) bool {
			return f.user(t, u.Username).Role == store.RoleAdmin
		}},
		{store.EventUserDisabled, func(f *fixture, c accounts.Change) error {
			_, err := f.s.Disable(ctx, c)
			return err
		}, func(t *testing.T, f *fixture, u *store.User) bool { return !f.user(t, u.Username).Disabled }},
		{store.EventUserDeleted, func(f *fixture, c accounts.Change) error { return f.s.Delete(ctx, c) },
			func(t *testing.T, f *fixture, u *store.User) bool { return f.user(t, u.Username) != nil }},
		{store.EventEmailChanged, func(f *fixture, c accounts.Change) error { return f.s.SetEmail(ctx, c, "new@example.net") },
			func(t *testing.T, f *fixture, u *store.User) bool { return f.user(t, u.Username).Email == u.Email }},
	} {
		t.Run(tc.event, func(t *testing.T) {
			f, ann, bob, _ := admins(t)
			storetest.RefuseActivity(t, f.st, tc.event)
			before := *bob
			if err := tc.do(f, accounts.Change{User: bob, ActorID: ann.ID}); err == nil {
				t.Fatal("done with its log entry refused")
			}
			if !tc.same(t, f, &before) || f.ended(t, &before) {
				t.Fatal("the change happened without its log entry")
			}
		})
	}
	t.Run(store.EventUserEnabled, func(t *testing.T) {
		f, ann, bob, _ := admins(t)
		if _, err := f.s.Disable(ctx, accounts.Change{User: bob, ActorID: ann.ID}); err != nil {
			t.Fatal(err)
		}
		storetest.RefuseActivity(t, f.st, store.EventUserEnabled)
		if err := f.s.Enable(ctx, accounts.Change{User: bob, ActorID: ann.ID}); err == nil {
			t.Fatal("enabled with its log entry refused")
		}
		if !f.user(t, "bobby").Disabled {
			t.Fatal("enabled without its log entry")
		}
	})
}
