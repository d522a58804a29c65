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

// TestResetPassword: someone else's reset ends the user's sessions, tokens
// and key, by the same policy, with its log entry.
func TestResetPassword(t *testing.T) {
	f := breachedFixture(t)
	ctx := context.Background()
	erin, _, err := f.signUp(t, accounts.SignUp{Username: "erin", Email: "erin@example.org", Password: "her own long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"one", "two"} {
		sess := &store.Session{IDHash: bytes.Repeat([]byte(id[:1]), 32), UserID: erin.ID,
			CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}
		if err := f.st.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.CreateToken(ctx, store.NewToken{UserID: erin.ID, Name: "script", Digest: bytes.Repeat([]byte{7}, 32),
		Prefix: "abcd", Scopes: []string{"search"}, CreatedAt: clock, ExpiresAt: clock.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	if _, err := f.s.ResetPassword(ctx, accounts.Reset{User: erin, ActorID: erin.ID}); !errors.Is(err, accounts.ErrOwnReset) {
		t.Fatalf("own reset: %v", err)
	}
	for _, pw := range []string{"short", inCorpus, "erin@example.org"} {
		if _, err := f.s.ResetPassword(ctx, accounts.Reset{User: erin, Password: pw}); !refusedOnly(accounts.FieldPassword)(err) {
			t.Errorf("reset to %q: %v", pw, err)
		}
	}
	if !f.hasPassword(t, f.user(t, "erin"), "her own long passphrase") {
		t.Fatal("a refused reset changed the password")
	}

	done, err := f.s.ResetPassword(ctx, accounts.Reset{User: erin, Password: "a chosen new passphrase", Note: "from the command line"})
	if err != nil || done.GeneratedPassword != "" || done.Revoked != 2 || !done.KeyDiscarded {
		t.Fatalf("reset: %+v %v", done, err)
	}
	after := f.user(t, "erin")
	if !after.MustChangePassword || after.HasVault() || after.WrappedIdentity != nil || !f.hasPassword(t, after, "a chosen new passphrase") {
		t.Fatalf("after reset: %+v", after)
	}
	if left, err := f.st.Sessions(ctx, erin.ID); err != nil || len(left) != 0 {
		t.Fatalf("sessions after reset: %v %v", left, err)
	}
	tokens, err := f.st.Tokens(ctx, erin.ID)
	if err != nil || len(tokens) != 1 || !tokens[0].RevokedAt.Equal(clock) {
		t.Fatalf("tokens after reset: %+v %v", tokens, err)
	}
	ev := f.activity(t, erin.ID)
	if len(ev) != 2 || ev[0].Event != store.EventPasswordReset || ev[0].ActorID != 0 || !ev[0].At.Equal(clock) ||
		ev[0].Detail != "from the command line; 2 sessions signed out; own key discarded" {
		t.Fatalf("erin's log: %+v", ev)
	}

	// An admin's generated reset of an account without a key.
	admin, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "boss", Email: "boss@example.org", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	done, err = f.s.ResetPassword(ctx, accounts.Reset{User: after, ActorID: admin.User.ID, IP: "192.0.2.3"})
	if err != nil || done.GeneratedPassword == "" || done.Revoked != 0 || done.KeyDiscarded ||
		!f.hasPassword(t, f.user(t, "erin"), done.GeneratedPassword) {
		t.Fatalf("generated reset: %+v %v", done, err)
	}
	if ev := f.activity(t, erin.ID); ev[0].ActorID != admin.User.ID || ev[0].IP != "192.0.2.3" || ev[0].Detail != "0 sessions signed out" {
		t.Fatalf("admin's reset logged as %+v", ev[0])
	}
}

// TestChangesAreAtomic: when the activity log refuses a change's entry,
// the change is not made either.
func TestChangesAreAtomic(t *testing.T) {
	ctx := context.Background()
	t.Run("create", func(t *testing.T) {
		f := newFixture(t)
		storetest.RefuseActivity(t, f.st, store.EventUserCreated)
		if _, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "frank", Email: "frank@example.org", Role: store.RoleUser}); err == nil {
			t.Fatal("created with its log entry refused")
		}
		if n, _ := f.st.CountUsers(ctx); n != 0 {
			t.Fatalf("%d accounts left behind", n)
		}
		if _, err := f.s.FirstAdmin(ctx, ""); err == nil {
			t.Fatal("first admin made with its log entry refused")
		}
		if n, _ := f.st.CountUsers(ctx); n != 0 {
			t.Fatalf("%d accounts left behind", n)
		}
	})
	t.Run("sign-up", func(t *testing.T) {
		f := newFixture(t)
		storetest.RefuseActivity(t, f.st, store.EventSignUp)
		if _, _, err := f.signUp(t, accounts.SignUp{Username: "gina", Email: "gina@example.org", Password: "a fine long passphrase"}); err == nil {
			t.Fatal("signed up with its log entry refused")
		}
		if n, _ := f.st.CountUsers(ctx); n != 0 {
			t.Fatalf("%d accounts left behind", n)
		}
	})
	t.Run("reset", func(t *testing.T) {
		f := newFixture(t)
		c, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "hugo", Email: "hugo@example.org", Password: "his first long passphrase", Role: store.RoleUser})
		if err != nil {
			t.Fatal(err)
		}
		sess := &store.Session{IDHash: bytes.Repeat([]byte{1}, 32), UserID: c.User.ID, CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}
		if err := f.st.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		storetest.RefuseActivity(t, f.st, store.EventPasswordReset)
		if _, err := f.s.ResetPassword(ctx, accounts.Reset{User: c.User}); err == nil {
			t.Fatal("reset with its log entry refused")
		}
		if !f.hasPassword(t, f.user(t, "hugo"), "his first long passphrase") {
			t.Fatal("the password changed without its log entry")
		}
		if left, _ := f.st.Sessions(ctx, c.User.ID); len(left) != 1 {
			t.Fatalf("%d sessions left, want 1", len(left))
		}
	})
}
