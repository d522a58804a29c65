package monitor_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/monitor"
	"pcmt/store"
	"pcmt/store/storetest"
)

type fixture struct {
	t  *testing.T
	st *store.Store
	m  *monitor.Matcher
	im *breach.Importer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.New(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	m, err := monitor.New(st, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	im := &breach.Importer{Store: st, TempDir: t.TempDir(), MaxSize: 1 << 30, AfterBreaches: m.AfterImport}
	return &fixture{t: t, st: st, m: m, im: im}
}

func (f *fixture) user(name string) *store.User {
	f.t.Helper()
	u := &store.User{Username: name, Email: name + "@example.org", PasswordHash: "$argon2id$x", Role: store.RoleUser}
	if err := f.st.CreateUser(context.Background(), u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// watch adds value to user's watchlist the way the handler does (the
// ciphertext is a stand-in: matching never reads it).
func (f *fixture) watch(u *store.User, value string) int64 {
	f.t.Helper()
	v := f.m.Watch(value)
	id, err := f.st.AddWatchItem(context.Background(), store.WatchItem{UserID: u.ID, Kind: v.Kind,
		Ciphertext: []byte("sealed"), Digest: v.Digest}, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// importLines imports a line list through the importer, hook included.
func (f *fixture) importLines(name string, kind breach.Kind, lines ...string) int64 {
	f.t.Helper()
	path := filepath.Join(f.t.TempDir(), name+".txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	ctx := context.Background()
	job, err := f.im.NewJob(ctx, path, filepath.Base(path), "cli", 0, breach.Options{Format: breach.FormatLines, Kind: kind, Name: name})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.im.Run(ctx, job, nil); err != nil {
		f.t.Fatal(err)
	}
	b, err := f.st.BreachByName(ctx, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return b.ID
}

func (f *fixture) alerts(u *store.User) []store.Alert {
	f.t.Helper()
	list, err := f.st.AlertsFor(context.Background(), u.ID, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *fixture) mails() []store.OutboxMail {
	f.t.Helper()
	list, err := f.st.DueMail(context.Background(), time.Now().Add(time.Hour), 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func TestImportAlertsTheWatcherOnly(t *testing.T) {
	f := newFixture(t)
	alice, bob, carol := f.user("alice"), f.user("bob"), f.user("carol")
	item := f.watch(alice, "Tracked.Person@Example.org")
	f.watch(bob, "someone.else@example.org")
	f.watch(carol, "tracked_user") // a username: an e-mail list cannot hold it

	id := f.importLines("leak", breach.Emails, "nobody@example.com", "tracked.person@example.org ", "tracked_user@example.org")

	got := f.alerts(alice)
	if len(got) != 1 || got[0].Breach.ID != id || got[0].WatchItemID != item || got[0].KnownAtAdd || !got[0].SeenAt.IsZero() {
		t.Fatalf("alice's alerts: %+v", got)
	}
	if n := len(f.alerts(bob)) + len(f.alerts(carol)); n != 0 {
		t.Fatalf("%d alerts for users whose values are not in the breach", n)
	}
	mails := f.mails()
	if len(mails) != 1 || mails[0].To != "alice@example.org" || mails[0].UserID != alice.ID {
		t.Fatalf("mails: %+v", mails)
	}
	if !strings.Contains(mails[0].BodyText, "leak") || strings.Contains(strings.ToLower(mails[0].BodyText), "tracked.person") {
		t.Fatalf("the mail must name the breach and not the watched value:\n%s", mails[0].BodyText)
	}

	// Matching again changes nothing and mails nobody twice.
	n, err := f.m.MatchBreach(context.Background(), id)
	if err != nil || n != 0 {
		t.Fatalf("matching again: %d new, %v", n, err)
	}
	if len(f.alerts(alice)) != 1 || len(f.mails()) != 1 {
		t.Fatal("matching again added alerts or mail")
	}

	// Deleting the breach takes its alerts along.
	if err := f.st.Auditor(make([]byte, 32)).DeleteBreach(context.Background(), id, &store.Activity{Event: store.EventBreachDeleted}); err != nil {
		t.Fatal(err)
	}
	if got := f.alerts(alice); len(got) != 0 {
		t.Fatalf("alerts of a deleted breach: %+v", got)
	}
}

func TestUsernamesAndManyBreachesMakeOneMail(t *testing.T) {
	f := newFixture(t)
	alice := f.user("alice")
	f.watch(alice, "Tracked_User")
	f.watch(alice, "tracked.person@example.org")
	f.importLines("names", breach.Usernames, "tracked_user", "other")
	if len(f.alerts(alice)) != 1 || len(f.mails()) != 1 {
		t.Fatalf("%d alerts, %d mails after the first import", len(f.alerts(alice)), len(f.mails()))
	}

	// A YAML file with two breaches holding both values: one pass, one mail.
	yaml := `---
name: First
containsEmails: true
data:
  emails: [tracked.person@example.org]
  usernames: [tracked_user]
---
name: Second
data:
  emails: [TRACKED.PERSON@example.org]
`
	path := filepath.Join(t.TempDir(), "two.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	job, err := f.im.NewJob(context.Background(), path, "two.yaml", "cli", 0, breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.im.Run(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(f.alerts(alice)); n != 4 {
		t.Fatalf("%d alerts, want 4 (names; First twice; Second)", n)
	}
	mails := f.mails()
	if len(mails) != 2 || !strings.Contains(mails[1].Subject, "2 new breaches") {
		t.Fatalf("mails: %+v", mails)
	}
}

func TestMatchItemRecordsKnownBreaches(t *testing.T) {
	f := newFixture(t)
	alice := f.user("alice")
	old := f.importLines("old", breach.Emails, "tracked.person@example.org")
	v := f.m.Watch("tracked.person@example.org")
	item := f.watch(alice, "tracked.person@example.org")
	found, err := f.m.MatchItem(context.Background(), alice.ID, item, v.Record)
	if err != nil || len(found) != 1 || found[0].ID != old {
		t.Fatalf("found %+v, %v", found, err)
	}
	got := f.alerts(alice)
	if len(got) != 1 || !got[0].KnownAtAdd || got[0].SeenAt.IsZero() || got[0].Mail != store.AlertNotMailed {
		t.Fatalf("alerts: %+v", got)
	}
	if len(f.mails()) != 0 {
		t.Fatal("a breach known at add time was mailed")
	}
	// A record digest that is not the item's is refused.
	other := f.m.Watch("someone@example.org")
	if _, err := f.m.MatchItem(context.Background(), alice.ID, item, other.Record); err == nil {
		t.Fatal("a foreign record digest was accepted")
	}
	// Another user's item does not exist for this one.
	bob := f.user("bob")
	if _, err := f.m.MatchItem(context.Background(), bob.ID, item, v.Record); err == nil {
		t.Fatal("matched another user's item")
	}
}

func TestEmailAlertsOff(t *testing.T) {
	f := newFixture(t)
	alice := f.user("alice")
	f.watch(alice, "tracked.person@example.org")
	if err := f.st.SetEmailAlerts(context.Background(), alice.ID, false); err != nil {
		t.Fatal(err)
	}
	f.importLines("leak", breach.Emails, "tracked.person@example.org")
	if len(f.alerts(alice)) != 1 || len(f.mails()) != 0 {
		t.Fatalf("%d alerts, %d mails: want the alert without the mail", len(f.alerts(alice)), len(f.mails()))
	}
}

func TestDigestIsKeyedAndKindBound(t *testing.T) {
	f := newFixture(t)
	g := newFixture(t)
	a, b := f.m.Watch("x@example.org"), g.m.Watch("x@example.org")
	if string(a.Record) != string(b.Record) || string(a.Digest) == string(b.Digest) {
		t.Fatal("the watch digest must depend on the secret, the record digest must not")
	}
	d := breach.EmailDigest([]byte("x@example.org"))
	if string(f.m.Digest(store.RecordEmail, d[:])) == string(f.m.Digest(store.RecordUsername, d[:])) {
		t.Fatal("the kind must be part of the digest")
	}
	if _, err := monitor.New(f.st, nil, nil); err == nil {
		t.Fatal("a matcher without a secret")
	}
}
