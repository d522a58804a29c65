package watch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pcmt/store"
	"pcmt/watch"
)

// refusal is err's reason and message, failing unless it is a *Refused.
func refusal(t *testing.T, err error) *watch.Refused {
	t.Helper()
	var r *watch.Refused
	if !errors.As(err, &r) {
		t.Fatalf("err %v, want a refusal", err)
	}
	return r
}

func TestAddTakesEMailAddressesAndUsernames(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	for _, c := range []struct {
		typed, value string
		kind         store.RecordKind
	}{
		{" Tracked.Person@Example.org ", "Tracked.Person@Example.org", store.RecordEmail},
		{"tracked_user", "tracked_user", store.RecordUsername},
		{"\tjürgen müller\n", "jürgen müller", store.RecordUsername},
		{strings.Repeat("ü", 64), strings.Repeat("ü", 64), store.RecordUsername},
		{strings.Repeat("a", 242) + "@example.org", strings.Repeat("a", 242) + "@example.org", store.RecordEmail},
	} {
		it, err := f.s.Add(context.Background(), u.User, c.typed)
		if err != nil {
			t.Fatalf("add %q: %v", c.typed, err)
		}
		if it.Kind != c.kind || !it.Added.Equal(clock) || it.ID == 0 || len(it.Found) != 0 {
			t.Errorf("add %q: %+v", c.typed, it)
		}
	}
	read, err := f.s.Read(context.Background(), u.ID, u.session)
	if err != nil || len(read) != 5 {
		t.Fatalf("read: %d items, %v", len(read), err)
	}
	if v := read[2].Value; v != "jürgen müller" {
		t.Errorf("stored %q: the spaces around a value are no part of it", v)
	}
}

func TestAddRefusesWhatIsNoAddressOrUsername(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	for _, c := range []struct{ name, value, want string }{
		{"empty", "   ", "Enter an e-mail address or a username."},
		{"no domain dot", "name@example", "Enter an e-mail address like name@example.org (at most 254 characters)."},
		{"two @", "a@b@example.org", "Enter an e-mail address like name@example.org (at most 254 characters)."},
		{"long address", strings.Repeat("a", 243) + "@example.org", "Enter an e-mail address like name@example.org (at most 254 characters)."},
		{"long username", strings.Repeat("u", 65), "A username has 1 to 64 characters."},
		{"not UTF-8", "bad\xffname", "A username has 1 to 64 characters."},
		{"control character", "bad\x01name", "A username has only printable characters."},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.Add(context.Background(), u.User, c.value)
			if r := refusal(t, err); r.Reason != watch.Invalid || r.Message != c.want {
				t.Fatalf("refusal %+v, want Invalid %q", r, c.want)
			}
		})
	}
	if n := f.stored(t, u.ID); n != 0 {
		t.Fatalf("%d values stored after refusals", n)
	}
}

// A value is the same value however its address is cased: the digest
// folds it, and the second add is refused.
func TestAddRefusesADuplicate(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	if _, err := f.s.Add(context.Background(), u.User, "tracked.person@example.org"); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Add(context.Background(), u.User, "TRACKED.person@example.org")
	if r := refusal(t, err); r.Reason != watch.Duplicate || r.Message != store.ErrWatchDuplicate.Message {
		t.Fatalf("refusal %+v", r)
	}
	// Another user watches the same value freely.
	if _, err := f.s.Add(context.Background(), f.newMember(t, "vera").User, "tracked.person@example.org"); err != nil {
		t.Fatalf("another user: %v", err)
	}
	if n := f.stored(t, u.ID); n != 1 {
		t.Fatalf("%d values stored", n)
	}
}

func TestAddRefusesPastAFullList(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	for i := range store.MaxWatchItems {
		if _, err := f.s.Add(context.Background(), u.User, fmt.Sprintf("user%02d", i)); err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
	}
	_, err := f.s.Add(context.Background(), u.User, "one-too-many")
	if r := refusal(t, err); r.Reason != watch.Full || !strings.Contains(r.Message, "remove one first") {
		t.Fatalf("refusal %+v", r)
	}
	if n := f.stored(t, u.ID); n != store.MaxWatchItems {
		t.Fatalf("%d values stored", n)
	}
}

// Before the user's first own password change there is no key to encrypt
// to: nothing is stored. A value that is no value is refused as such
// first.
func TestAddRefusesBeforeTheUsersKey(t *testing.T) {
	f := newFixture(t)
	u := &store.User{Username: "newbie", Email: "newbie@example.org", PasswordHash: "x", Role: store.RoleUser}
	if err := f.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Add(context.Background(), u, "tracked.person@example.org")
	if r := refusal(t, err); r != watch.ErrNoKey {
		t.Fatalf("refusal %+v, want ErrNoKey", r)
	}
	_, err = f.s.Add(context.Background(), u, "")
	if r := refusal(t, err); r.Reason != watch.Invalid {
		t.Fatalf("refusal %+v, want Invalid", r)
	}
	if n := f.stored(t, u.ID); n != 0 {
		t.Fatalf("%d values stored", n)
	}
}

// A value already in breaches here is found at once: the alerts are
// recorded as known at add time (shown, not mailed), on the matcher's
// clock.
func TestAddFindsTheBreachesAlreadyHere(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	f.importEmails(t, "Forum", clock.AddDate(-1, 0, 0), "tracked.person@example.org", "other@example.org")
	f.importEmails(t, "Shop", clock.AddDate(0, -1, 0), "tracked.person@example.org")
	f.importEmails(t, "Elsewhere", clock.AddDate(0, -1, 0), "other@example.org")
	it, err := f.s.Add(context.Background(), u.User, "Tracked.Person@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	got := names(it.Found)
	slices.Sort(got)
	if !slices.Equal(got, []string{"Forum", "Shop"}) {
		t.Fatalf("found in %q", got)
	}
	alerts, err := f.st.AlertsFor(context.Background(), u.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 || !alerts[0].KnownAtAdd || !alerts[1].KnownAtAdd || alerts[0].WatchItemID != it.ID {
		t.Fatalf("alerts %+v", alerts)
	}
	if n, err := f.st.PendingMailCount(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d mails for breaches known at add time (%v)", n, err)
	}
}

// Removing takes the value and its alerts; another user's value does not
// exist for this one.
func TestRemove(t *testing.T) {
	f := newFixture(t)
	u, v := f.newMember(t, "ursula"), f.newMember(t, "vera")
	f.importEmails(t, "Forum", clock.AddDate(-1, 0, 0), "tracked.person@example.org")
	it, err := f.s.Add(context.Background(), u.User, "tracked.person@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Remove(context.Background(), v.ID, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user's remove: %v, want ErrNotFound", err)
	}
	if n := f.stored(t, u.ID); n != 1 {
		t.Fatal("another user removed the value")
	}
	if err := f.s.Remove(context.Background(), u.ID, it.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.stored(t, u.ID); n != 0 {
		t.Fatal("the value is still watched")
	}
	if alerts, err := f.st.AlertsFor(context.Background(), u.ID, 10); err != nil || len(alerts) != 0 {
		t.Fatalf("alerts left: %+v %v", alerts, err)
	}
	if err := f.s.Remove(context.Background(), u.ID, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing it again: %v, want ErrNotFound", err)
	}
}

func TestEmailAlertsSetting(t *testing.T) {
	f := newFixture(t)
	u := f.newMember(t, "ursula")
	ctx := context.Background()
	if on, err := f.s.EmailAlerts(ctx, u.ID); err != nil || !on {
		t.Fatalf("a new user's alert mails: %v %v, want on", on, err)
	}
	for _, want := range []bool{false, true} {
		if err := f.s.SetEmailAlerts(ctx, u.ID, want); err != nil {
			t.Fatal(err)
		}
		if on, err := f.s.EmailAlerts(ctx, u.ID); err != nil || on != want {
			t.Fatalf("alert mails %v %v, want %v", on, err, want)
		}
	}
}

// TestMarkSeen: the alerts up to the one a page showed are seen at the
// Service's clock; one raised after stays new, and another user's are
// not touched.
func TestMarkSeen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, other := f.newMember(t, "ursula"), f.newMember(t, "otto")
	for _, m := range []member{u, other} {
		if _, err := f.s.Add(ctx, m.User, "tracked."+m.Username+"@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	f.importEmails(t, "First", clock, "tracked.ursula@example.org", "tracked.otto@example.org")
	shown, err := f.st.AlertsFor(ctx, u.ID, 10)
	if err != nil || len(shown) != 1 {
		t.Fatalf("alerts %+v, %v", shown, err)
	}
	f.importEmails(t, "Second", clock, "tracked.ursula@example.org")
	if err := f.s.MarkSeen(ctx, u.ID, shown[0].ID); err != nil {
		t.Fatal(err)
	}
	alerts, _ := f.st.AlertsFor(ctx, u.ID, 10)
	for _, a := range alerts {
		switch a.Breach.Name {
		case "First":
			if !a.SeenAt.Equal(clock) {
				t.Errorf("the shown alert seen at %v, want %v", a.SeenAt, clock)
			}
		case "Second":
			if !a.SeenAt.IsZero() {
				t.Errorf("the alert raised after the page was drawn is seen at %v", a.SeenAt)
			}
		}
	}
	if n, _ := f.st.UnseenAlertCount(ctx, other.ID); n != 1 {
		t.Errorf("the other user's unseen alerts: %d, want 1", n)
	}
}
