package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func newUser(t *testing.T, s *store.Store, name string, role store.Role) *store.User {
	t.Helper()
	u := &store.User{Username: name, Email: name + "@example.org", PasswordHash: "$argon2id$x", Role: role}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	if alice.ID == 0 || alice.CreatedAt.IsZero() {
		t.Fatalf("created user %+v", alice)
	}
	for _, login := range []string{"alice", "ALICE", "Alice@Example.org"} {
		got, err := s.UserByLogin(ctx, login)
		if err != nil || got.ID != alice.ID {
			t.Fatalf("by login %q: %v %v", login, got, err)
		}
	}
	if _, err := s.UserByLogin(ctx, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing login: %v", err)
	}
	dupName := &store.User{Username: "ALICE", Email: "other@example.org", PasswordHash: "x", Role: store.RoleUser}
	if err := s.CreateUser(ctx, dupName); !errors.Is(err, store.ErrUsernameTaken) {
		t.Fatalf("duplicate username: %v", err)
	}
	dupMail := &store.User{Username: "alice2", Email: "ALICE@example.org", PasswordHash: "x", Role: store.RoleUser}
	if err := s.CreateUser(ctx, dupMail); !errors.Is(err, store.ErrEmailTaken) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	if err := audit(s).SetEmail(ctx, alice.ID, "new@example.org", entry(store.EventEmailChanged)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(ctx, alice.ID); got.Email != "new@example.org" {
		t.Fatalf("e-mail %q", got.Email)
	}
	if err := audit(s).SetEmail(ctx, 999, "x@example.org", entry(store.EventEmailChanged)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("e-mail of a missing user: %v", err)
	}
}

func TestListUsers(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for i := range 30 {
		newUser(t, s, fmt.Sprintf("user%02d", i), store.RoleUser)
	}
	newUser(t, s, "under_score", store.RoleUser)
	page, err := s.ListUsers(ctx, "", 10, 10)
	if err != nil || page.Total != 31 || len(page.Users) != 10 || page.Users[0].Username != "user09" {
		t.Fatalf("page 2: total %d, %d users, %v", page.Total, len(page.Users), err)
	}
	page, _ = s.ListUsers(ctx, "user1", 50, 0)
	if page.Total != 10 {
		t.Fatalf("search user1: %d", page.Total)
	}
	page, _ = s.ListUsers(ctx, "_", 50, 0)
	if page.Total != 1 || page.Users[0].Username != "under_score" {
		t.Fatalf("search for a literal _: %d", page.Total)
	}
}

func TestLastAdminIsKept(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	root := newUser(t, s, "root", store.RoleAdmin)
	if _, err := audit(s).SetRole(ctx, root.ID, store.RoleUser, entry(store.EventRoleChanged)); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("demote last admin: %v", err)
	}
	if _, err := audit(s).Disable(ctx, root.ID, entry(store.EventUserDisabled), noDetail); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("disable last admin: %v", err)
	}
	if err := audit(s).DeleteUser(ctx, root.ID, entry(store.EventUserDeleted)); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("delete last admin: %v", err)
	}
	other := newUser(t, s, "other", store.RoleUser)
	if _, err := audit(s).SetRole(ctx, other.ID, store.RoleAdmin, entry(store.EventRoleChanged)); err != nil {
		t.Fatal(err)
	}
	if _, err := audit(s).SetRole(ctx, root.ID, store.RoleUser, entry(store.EventRoleChanged)); err != nil {
		t.Fatalf("demote with another admin: %v", err)
	}
	// A disabled admin does not count as the other admin.
	if _, err := audit(s).SetRole(ctx, root.ID, store.RoleAdmin, entry(store.EventRoleChanged)); err != nil {
		t.Fatal(err)
	}
	if _, err := audit(s).Disable(ctx, root.ID, entry(store.EventUserDisabled), noDetail); err != nil {
		t.Fatal(err)
	}
	if err := audit(s).DeleteUser(ctx, other.ID, entry(store.EventUserDeleted)); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("delete the only active admin: %v", err)
	}
	if err := audit(s).DeleteUser(ctx, root.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatalf("delete a disabled admin: %v", err)
	}
}

func TestSessionsFollowTheirUser(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	u := newUser(t, s, "carol", store.RoleUser)
	now := time.Now()
	mk := func(b byte, expires time.Time, seen time.Time) []byte {
		h := make([]byte, 32)
		h[0] = b
		if err := s.CreateSession(ctx, &store.Session{IDHash: h, UserID: u.ID, CreatedAt: now,
			LastSeenAt: seen, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	keep := mk(1, now.Add(time.Hour), now)
	mk(2, now.Add(time.Hour), now)
	mk(3, now.Add(time.Hour), now)

	sess, user, err := s.SessionUser(ctx, keep)
	if err != nil || user.ID != u.ID || sess.UserID != u.ID {
		t.Fatalf("session user: %v", err)
	}
	n, err := audit(s).ResetPassword(ctx, u.ID, store.PasswordChange{Hash: "new", KeepSession: keep}, now, entry(store.EventPasswordReset), noDetail)
	if err != nil || n != 2 {
		t.Fatalf("password change revoked %d sessions, %v", n, err)
	}
	list, _ := s.Sessions(ctx, u.ID)
	if len(list) != 1 {
		t.Fatalf("%d sessions left", len(list))
	}

	expired := mk(4, now.Add(-time.Second), now)
	idle := mk(5, now.Add(time.Hour), now.Add(-2*time.Hour))
	gone, err := s.DeleteExpiredSessions(ctx, now, time.Hour)
	if err != nil || len(gone) != 2 {
		t.Fatalf("swept %d, %v", len(gone), err)
	}
	for _, h := range [][]byte{expired, idle} {
		if _, _, err := s.SessionUser(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("swept session still there: %v", err)
		}
	}

	if _, err := audit(s).SetRole(ctx, u.ID, store.RoleAdmin, entry(store.EventRoleChanged)); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Sessions(ctx, u.ID); len(list) != 0 {
		t.Fatal("a role change kept sessions")
	}
	mk(6, now.Add(time.Hour), now)
	newUser(t, s, "dave", store.RoleAdmin)
	if err := audit(s).DeleteUser(ctx, u.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Sessions(ctx, u.ID); len(list) != 0 {
		t.Fatal("deleting a user kept their sessions")
	}
}

// TestSignUpIsOneTransaction: when the activity log refuses the sign-up's
// entry, no account is left behind, and with it the account, its key and
// its entry are all there.
func TestSignUpIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	audit := s.Auditor(make([]byte, 32))
	db, err := sql.Open("sqlite3", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER refuse_signup BEFORE INSERT ON activity
		WHEN NEW.event = 'signup' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "alice", Email: "alice@example.org", PasswordHash: "h", Role: store.RoleUser,
		AgeRecipient: "age1recipient", WrappedIdentity: []byte("wrapped")}
	if err := audit.SignUp(ctx, u, &store.Activity{Event: store.EventSignUp}); err == nil {
		t.Fatal("the sign-up went through without its log entry")
	}
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("%d accounts after a failed sign-up", n)
	}

	if _, err := db.ExecContext(ctx, `DROP TRIGGER refuse_signup`); err != nil {
		t.Fatal(err)
	}
	u.ID = 0
	if err := audit.SignUp(ctx, u, &store.Activity{Event: store.EventSignUp}); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil || got.AgeRecipient != "age1recipient" || string(got.WrappedIdentity) != "wrapped" || got.PasswordHash != "h" {
		t.Fatalf("account %+v, %v", got, err)
	}
	evs, err := s.UserActivity(ctx, u.ID, 10)
	if err != nil || len(evs) != 1 || evs[0].Event != store.EventSignUp {
		t.Fatalf("activity %+v, %v", evs, err)
	}
	if err := audit.SignUp(ctx, &store.User{Username: "ALICE", Email: "other@example.org", Role: store.RoleUser},
		&store.Activity{Event: store.EventSignUp}); !errors.Is(err, store.ErrUsernameTaken) {
		t.Fatalf("same username: %v", err)
	}
	if err := audit.SignUp(ctx, &store.User{Username: "bob", Email: "Alice@Example.org", Role: store.RoleUser},
		&store.Activity{Event: store.EventSignUp}); !errors.Is(err, store.ErrEmailTaken) {
		t.Fatalf("same e-mail: %v", err)
	}
	for _, tc := range []struct {
		fn   func() (bool, error)
		want bool
	}{
		{func() (bool, error) { return s.UsernameTaken(ctx, "Alice") }, true},
		{func() (bool, error) { return s.UsernameTaken(ctx, "bob") }, false},
		{func() (bool, error) { id, err := s.EmailOwner(ctx, "ALICE@example.org"); return id == u.ID, err }, true},
		{func() (bool, error) { id, err := s.EmailOwner(ctx, "bob@example.org"); return id != 0, err }, false},
	} {
		if got, err := tc.fn(); err != nil || got != tc.want {
			t.Fatalf("lookup: %v, %v; want %v", got, err, tc.want)
		}
	}
}
