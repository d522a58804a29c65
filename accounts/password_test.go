package accounts_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"filippo.io/age"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/store/storetest"
)

// ownChange is erin's change of her password from "her own long
// passphrase" to password, keeping the session keep.
func ownChange(u *store.User, identity *age.X25519Identity, password string, keep []byte) accounts.OwnPassword {
	return accounts.OwnPassword{User: u, Current: "her own long passphrase", New: password, Identity: identity, IP: "192.0.2.4",
		StartSession: func(*age.X25519Identity) ([]byte, error) { return keep, nil }}
}

// signedUp is erin, signed up with her key, two sessions and a token; the
// first session is the one her change keeps.
func signedUp(t *testing.T, f *fixture) (*store.User, *age.X25519Identity, []byte) {
	t.Helper()
	ctx := context.Background()
	erin, identity, err := f.signUp(t, accounts.SignUp{Username: "erin", Email: "erin@example.org", Password: "her own long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []byte{1, 2} {
		sess := &store.Session{IDHash: bytes.Repeat([]byte{b}, 32), UserID: erin.ID,
			CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}
		if err := f.st.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.CreateToken(ctx, store.NewToken{UserID: erin.ID, Name: "script", Digest: bytes.Repeat([]byte{7}, 32),
		Prefix: "abcd", Scopes: []string{"search"}, CreatedAt: clock, ExpiresAt: clock.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return erin, identity, bytes.Repeat([]byte{1}, 32)
}

// TestChangeOwnPassword: by the policy, never the current one; the key is
// re-wrapped, other sessions and every token end, both logged.
func TestChangeOwnPassword(t *testing.T) {
	f := breachedFixture(t)
	ctx := context.Background()
	erin, identity, keep := signedUp(t, f)
	for _, pw := range []string{"short", inBreach, "her own long passphrase"} {
		if _, err := f.s.ChangeOwnPassword(ctx, ownChange(erin, identity, pw, keep)); !refusedOnly(accounts.FieldPassword)(err) {
			t.Errorf("change to %q: %v", pw, err)
		}
	}
	done, err := f.s.ChangeOwnPassword(ctx, ownChange(erin, identity, "her next long passphrase", keep))
	if err != nil || done.Revoked != 1 || done.Tokens != 1 {
		t.Fatalf("change: %+v %v", done, err)
	}
	after := f.user(t, "erin")
	if !f.hasPassword(t, after, "her next long passphrase") || after.AgeRecipient != erin.AgeRecipient {
		t.Fatalf("after: %+v", after)
	}
	unwrapped, err := f.vault.Unwrap(ctx, erin.ID, after.WrappedIdentity, "her next long passphrase")
	if err != nil || unwrapped.String() != identity.String() {
		t.Fatalf("key after change: %v", err)
	}
	if left, _ := f.st.Sessions(ctx, erin.ID); len(left) != 1 || !bytes.Equal(left[0].IDHash, keep) {
		t.Fatalf("sessions left: %+v", left)
	}
	ev := f.activity(t, erin.ID)
	if ev[0].Event != store.EventPasswordChanged || ev[0].Detail != "1 other session signed out" || ev[0].ActorID != erin.ID ||
		ev[1].Event != store.EventTokenRevoked || ev[1].Detail != "1 at password change" || !ev[0].At.Equal(clock) {
		t.Fatalf("erin's log: %+v", ev[:2])
	}
}

// TestChangeOwnPasswordIsAtomic: when the log refuses the change's entry
// (or the tokens'), the password, key, sessions and tokens stay.
func TestChangeOwnPasswordIsAtomic(t *testing.T) {
	for _, event := range []string{store.EventPasswordChanged, store.EventTokenRevoked} {
		t.Run(event, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			erin, identity, keep := signedUp(t, f)
			storetest.RefuseActivity(t, f.st, event)
			if _, err := f.s.ChangeOwnPassword(ctx, ownChange(erin, identity, "her next long passphrase", keep)); err == nil {
				t.Fatal("changed with its log entry refused")
			}
			after := f.user(t, "erin")
			if !f.hasPassword(t, after, "her own long passphrase") || !bytes.Equal(after.WrappedIdentity, erin.WrappedIdentity) {
				t.Fatal("the password changed without its log entry")
			}
			if left, _ := f.st.Sessions(ctx, erin.ID); len(left) != 2 {
				t.Fatalf("%d sessions left, want 2", len(left))
			}
			if tokens, _ := f.st.Tokens(ctx, erin.ID); tokens[0].Revoked() {
				t.Fatal("the token was revoked without its log entry")
			}
		})
	}
}

// TestCheckPassword: the password of an account, typed as it was set
// (normalised alike), is right; another, or any for no account, is wrong;
// a hash of lower costs than the Service's asks for a rehash.
func TestCheckPassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	erin, _, err := f.signUp(t, accounts.SignUp{Username: "erin", Email: "erin@example.org", Password: "her own long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user     *store.User
		password string
		ok       bool
	}{
		{erin, "her own long passphrase", true},
		{erin, "her own long passphrase ", false},
		{erin, "Her own long passphrase", false},
		{nil, "her own long passphrase", false},
	} {
		ok, rehash, err := f.s.CheckPassword(ctx, c.user, c.password)
		if err != nil || ok != c.ok || rehash {
			t.Errorf("%q for %v: ok %v, rehash %v, %v; want ok %v", c.password, c.user != nil, ok, rehash, err, c.ok)
		}
	}
	dearer := accounts.New(accounts.Deps{Store: f.st, AuditKey: []byte("an audit key of the tests"),
		Hasher: account.NewHasherCost(2, 64), Vault: f.vault, Now: func() time.Time { return clock }})
	if ok, rehash, err := dearer.CheckPassword(ctx, erin, "her own long passphrase"); !ok || !rehash || err != nil {
		t.Fatalf("under dearer costs: ok %v, rehash %v, %v", ok, rehash, err)
	}
}
