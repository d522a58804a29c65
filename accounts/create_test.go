package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"pcmt/accounts"
	"pcmt/store"
)

// TestCreateUserRules: an account made by someone else, by each rule.
func TestCreateUserRules(t *testing.T) {
	f := breachedFixture(t)
	ctx := context.Background()

	c, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "alice", Email: "alice@example.org",
		Password: "correct horse battery", Role: store.RoleAdmin, ActorID: 0, Note: "from the command line"})
	if err != nil || c.GeneratedPassword != "" {
		t.Fatalf("create alice: %+v %v", c, err)
	}
	alice := f.user(t, "alice")
	if alice.Role != store.RoleAdmin || !alice.MustChangePassword || alice.HasVault() ||
		!alice.CreatedAt.Equal(clock) || !f.hasPassword(t, alice, "correct horse battery") {
		t.Fatalf("alice: %+v", alice)
	}
	ev := f.activity(t, alice.ID)
	if len(ev) != 1 || ev[0].Event != store.EventUserCreated || ev[0].ActorID != 0 || !ev[0].At.Equal(clock) ||
		ev[0].Detail != "from the command line; as admin" {
		t.Fatalf("alice's log: %+v", ev)
	}

	// An admin on the pages, with a generated password.
	c, err = f.s.CreateUser(ctx, accounts.NewUser{Username: "bob", Email: "bob@example.org", Role: store.RoleUser,
		ActorID: alice.ID, IP: "192.0.2.1"})
	if err != nil || c.GeneratedPassword == "" || !f.hasPassword(t, f.user(t, "bob"), c.GeneratedPassword) {
		t.Fatalf("create bob: %+v %v", c, err)
	}
	if ev := f.activity(t, c.User.ID); len(ev) != 1 || ev[0].ActorID != alice.ID || ev[0].IP != "192.0.2.1" || ev[0].Detail != "as user" {
		t.Fatalf("bob's log: %+v", ev)
	}

	for _, tc := range []struct {
		name string
		n    accounts.NewUser
		want func(error) bool
	}{
		{"username in another case", accounts.NewUser{Username: "Alice", Email: "other@example.org"},
			func(err error) bool { return errors.Is(err, store.ErrUsernameTaken) }},
		{"address in use", accounts.NewUser{Username: "carol", Email: "alice@example.org"},
			func(err error) bool { return errors.Is(err, store.ErrEmailTaken) }},
		{"bad username", accounts.NewUser{Username: "c", Email: "carol@example.org"}, refusedOnly(accounts.FieldUsername)},
		{"bad address", accounts.NewUser{Username: "carol", Email: "carol@localhost"}, refusedOnly(accounts.FieldEmail)},
		{"common password", accounts.NewUser{Username: "carol", Email: "carol@example.org", Password: "password123"}, refusedOnly(accounts.FieldPassword)},
		{"password in a breach", accounts.NewUser{Username: "carol", Email: "carol@example.org", Password: inBreach}, refusedOnly(accounts.FieldPassword)},
		{"password in the corpus", accounts.NewUser{Username: "carol", Email: "carol@example.org", Password: inCorpus}, refusedOnly(accounts.FieldPassword)},
	} {
		tc.n.Role = store.RoleUser
		if _, err := f.s.CreateUser(ctx, tc.n); !tc.want(err) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if n, _ := f.st.CountUsers(ctx); n != 2 {
		t.Fatalf("%d accounts after refusals, want 2", n)
	}
	// Every refusal at once, for a form to show beside its fields.
	err = f.s.Check(accounts.NewUser{Username: "c", Email: "c@localhost", Password: "short"})
	var r accounts.Refused
	if !errors.As(err, &r) || len(r) != 3 {
		t.Fatalf("three bad fields: %v", err)
	}
}

// refusedOnly accepts a Refused that names field alone.
func refusedOnly(field accounts.Field) func(error) bool {
	return func(err error) bool {
		var r accounts.Refused
		return errors.As(err, &r) && len(r) == 1 && r[field] != ""
	}
}

// TestFirstAdmin: made once, on an empty database, by the same policy.
func TestFirstAdmin(t *testing.T) {
	f := breachedFixture(t)
	ctx := context.Background()
	if _, err := f.s.FirstAdmin(ctx, inCorpus); !refusedOnly(accounts.FieldPassword)(err) {
		t.Fatalf("a breached first password: %v", err)
	}
	c, err := f.s.FirstAdmin(ctx, "")
	if err != nil || c.User == nil || c.GeneratedPassword == "" {
		t.Fatalf("first admin: %+v %v", c, err)
	}
	admin := f.user(t, accounts.FirstAdminName)
	if admin.Role != store.RoleAdmin || !admin.MustChangePassword || admin.Email != accounts.FirstAdminEmail ||
		!f.hasPassword(t, admin, c.GeneratedPassword) {
		t.Fatalf("admin: %+v", admin)
	}
	if ev := f.activity(t, admin.ID); len(ev) != 1 || ev[0].Event != store.EventUserCreated || ev[0].ActorID != 0 ||
		!strings.HasPrefix(ev[0].Detail, "first admin") {
		t.Fatalf("admin's log: %+v", ev)
	}
	if c, err := f.s.FirstAdmin(ctx, ""); err != nil || c.User != nil {
		t.Fatalf("a second start made an account: %+v %v", c, err)
	}
}
