package accounts_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/breach"
	"pcmt/store"
	"pcmt/store/storetest"
)

// clock is the time the tests' Service reads, unless a test moves its
// fixture's now.
var clock = time.Date(2031, 4, 5, 6, 7, 8, 0, time.UTC)

// totpKey seals the fixtures' two-factor secrets.
var totpKey = bytes.Repeat([]byte{0x7c}, 32)

// fixture is a Service over a fresh database, with cheap hashing and keys.
type fixture struct {
	st     *store.Store
	s      *accounts.Service
	hasher *account.Hasher
	vault  *account.Vault
	// now is the Service's clock, read at each call.
	now time.Time
}

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, accounts.Deps{}) }

// newFixtureWith is newFixture with the optional Deps of d.
func newFixtureWith(t *testing.T, d accounts.Deps) *fixture {
	t.Helper()
	f := &fixture{st: storetest.New(t), hasher: account.NewHasherCost(1, 64), vault: account.NewVault(10), now: clock}
	d.Store, d.AuditKey, d.Hasher, d.Vault = f.st, []byte("an audit key of the tests"), f.hasher, f.vault
	d.Now = func() time.Time { return f.now }
	if d.TOTPBox == nil {
		d.TOTPBox = account.NewSecretBox(totpKey)
	}
	f.s = accounts.New(d)
	return f
}

// The passwords of the instance's breach data in breachedFixture: one in a
// breach, one in its Pwned Passwords corpus.
const (
	inBreach = "a breached passphrase"
	inCorpus = "a pwned passphrase"
)

// breachedFixture is a fixture whose database holds inBreach and inCorpus.
func breachedFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.breached(t, inBreach, inCorpus)
	return f
}

func (f *fixture) breached(t *testing.T, inBreach, inCorpus string) {
	t.Helper()
	ctx := context.Background()
	d := breach.PasswordDigest([]byte(inBreach))
	if _, err := f.st.ImportBreaches(ctx, []store.NewBreach{{
		Breach:  store.Breach{Name: "Leak"},
		Records: []store.DigestSource{store.DigestSlice(store.RecordSHA1, [][]byte{d[:]})},
	}}, store.ImportOptions{Now: clock}); err != nil {
		t.Fatal(err)
	}
	w, err := f.st.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	c := breach.PasswordDigest([]byte(inCorpus))
	if err := w.Add(ctx, c[:], 3); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// activity is the log of user id, newest first.
func (f *fixture) activity(t *testing.T, id int64) []store.Activity {
	t.Helper()
	events, err := f.st.UserActivity(context.Background(), id, 10)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func (f *fixture) hasPassword(t *testing.T, u *store.User, password string) bool {
	t.Helper()
	_, err := f.hasher.Verify(context.Background(), u.PasswordHash, password)
	return err == nil
}

func (f *fixture) user(t *testing.T, login string) *store.User {
	t.Helper()
	u, err := f.st.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatalf("user %s: %v", login, err)
	}
	return u
}
