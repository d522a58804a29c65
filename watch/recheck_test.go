package watch_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"pcmt/hibp/hibpfake"
	"pcmt/monitor"
	"pcmt/store"
	"pcmt/watch"
)

// withHIBP gives f's Service a local HIBP in which the accounts known are
// breached.
func (f *fixture) withHIBP(t *testing.T, known ...string) *hibpfake.API {
	t.Helper()
	fake := hibpfake.New(t, known, nil)
	client := fake.Client(t, "a key")
	f.s = watch.New(watch.Deps{Store: f.st, Matcher: f.matcher, Vault: f.vault, HIBP: client,
		HIBPWatch: monitor.NewHIBPWatch(f.st, client, f.matcher, nil), Now: func() time.Time { return clock }})
	return fake
}

// eventually waits for cond, which the recheck's goroutine makes true.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// A recheck queued by a breach new in HIBP's list asks HIBP about the
// values the session decrypts, once; one that fails is queued again.
func TestRecheckAsksAboutTheSessionsValuesOnce(t *testing.T) {
	f := newFixture(t)
	fake := f.withHIBP(t, "tracked.person@example.org")
	ctx := context.Background()
	u := f.newMember(t, "ursula")
	if _, err := f.s.Add(ctx, u.User, "tracked.person@example.org"); err != nil {
		t.Fatal(err)
	}
	// Nothing queued: HIBP is not asked.
	if err := f.s.StartRecheck(ctx, u.ID, u.session); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddHIBPBreaches(ctx, []store.Breach{{Name: "Adobe", Title: "Adobe"}}, false, clock); err != nil {
		t.Fatal(err)
	}
	if err := f.s.StartRecheck(ctx, u.ID, u.session); err != nil {
		t.Fatal(err)
	}
	eventually(t, "an alert for Adobe", func() bool {
		alerts, err := f.st.AlertsFor(ctx, u.ID, 10)
		return err == nil && len(alerts) == 1 && alerts[0].Breach.Name == "Adobe (HIBP)"
	})
	if asked, _ := fake.Asked(); !slices.Equal(asked, []string{"tracked.person@example.org"}) {
		t.Fatalf("HIBP was asked about %q", asked)
	}
	// Claimed: another visit asks nothing.
	if err := f.s.StartRecheck(ctx, u.ID, u.session); err != nil {
		t.Fatal(err)
	}
	if n := fake.Lookups(); n != 1 {
		t.Fatalf("%d lookups", n)
	}

	// A recheck that fails is queued again.
	fake.Fail(http.StatusInternalServerError)
	if err := f.st.RequeueHIBPRecheck(ctx, u.ID, clock); err != nil {
		t.Fatal(err)
	}
	if err := f.s.StartRecheck(ctx, u.ID, u.session); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the failed recheck queued again", func() bool {
		pending, err := f.st.HIBPRecheckPending(ctx, u.ID)
		return err == nil && pending && fake.Lookups() >= 2
	})
}
