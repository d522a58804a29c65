package watch_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"filippo.io/age"

	"pcmt/account"
	"pcmt/breach"
	"pcmt/monitor"
	"pcmt/store"
	"pcmt/store/storetest"
	"pcmt/watch"
)

// clock is the fixed time the tests' Service reads.
var clock = time.Date(2031, 4, 5, 6, 7, 8, 0, time.UTC)

// fixture is a Service over a fresh database with a real matcher and
// vault.
type fixture struct {
	st      *store.Store
	s       *watch.Service
	matcher *monitor.Matcher
	vault   *account.Vault
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.New(t)
	m, err := monitor.New(st, []byte("a monitor secret of the watch tests, 32+ bytes"), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, matcher: m, vault: account.NewVault(10)}
	f.s = watch.New(watch.Deps{Store: st, Matcher: m, Vault: f.vault, Now: func() time.Time { return clock }})
	return f
}

// member is a user with a key of their own and a session that holds it.
type member struct {
	*store.User
	identity *age.X25519Identity
	session  []byte
}

// newMember makes a user whose key is made (their first own password
// change is behind them) and unlocks it in a session.
func (f *fixture) newMember(t *testing.T, name string) member {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: name, Email: name + "@example.org", PasswordHash: "x", Role: store.RoleUser,
		AgeRecipient: id.Recipient().String()}
	if err := f.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	m := member{User: u, identity: id, session: []byte("the session of " + name)}
	f.vault.Bind(m.session, u.ID, id)
	return m
}

// importEmails stores a breach, added to the instance at added, holding
// the given e-mail addresses, and matches it as an import does.
func (f *fixture) importEmails(t *testing.T, name string, added time.Time, emails ...string) int64 {
	t.Helper()
	var digests [][]byte
	for _, e := range emails {
		d := breach.EmailDigest([]byte(e))
		digests = append(digests, d[:])
	}
	slices.SortFunc(digests, bytes.Compare)
	ids, err := f.st.ImportBreaches(context.Background(), []store.NewBreach{{
		Breach:  store.Breach{Name: name, Title: name},
		Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, digests)},
	}}, store.ImportOptions{Now: added})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.matcher.MatchBreaches(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// stored is how many values user id watches.
func (f *fixture) stored(t *testing.T, id int64) int {
	t.Helper()
	n, err := f.st.CountWatchItems(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// names are the names of bs.
func names(bs []store.Breach) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}
