package watch_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/watch"
)

const (
	S = store.ScopeSearch
	R = store.ScopeWatchlistRead
	W = store.ScopeWatchlistWrite
)

// everyScopeSet is each combination of the three scopes.
var everyScopeSet = [][]string{{}, {R}, {W}, {R, W}, {S}, {R, S}, {W, S}, {R, W, S}}

// TokenSees for every scope set and a breach that reached the instance
// before, at or after the value was added: the search scope sees all, any
// other token only what came after (what watching found, not what a
// search finds).
func TestTokenSeesForEveryScopeSet(t *testing.T) {
	added := clock
	for _, scopes := range everyScopeSet {
		tok := &store.Token{Scopes: scopes}
		search := slices.Contains(scopes, S)
		for _, c := range []struct {
			name  string
			at    time.Time
			after bool
		}{
			{"before", added.Add(-time.Second), false},
			{"at", added, false},
			{"after", added.Add(time.Second), true},
		} {
			if got, want := watch.TokenSees(tok, added, &store.Breach{AddedAt: c.at}), search || c.after; got != want {
				t.Errorf("scopes %v, breach %s the value: sees %v, want %v", scopes, c.name, got, want)
			}
		}
	}
}

// The rule as Add and List apply it: the breaches that held a value when
// it was added show only to a token that may search; a breach imported
// later shows to every token.
func TestItemsSeenByATokenHideASearchWithoutTheScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.newMember(t, "ursula")
	f.importEmails(t, "Forum", clock.AddDate(-1, 0, 0), "tracked.person@example.org")
	it, err := f.s.Add(ctx, u.User, "tracked.person@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.importEmails(t, "Later", clock.Add(time.Hour), "tracked.person@example.org")
	items, err := f.s.List(ctx, u.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("list %+v %v", items, err)
	}
	for _, scopes := range everyScopeSet {
		tok := &store.Token{Scopes: scopes}
		wantAdd, wantList := []string{}, []string{"Later"}
		if slices.Contains(scopes, S) {
			wantAdd, wantList = []string{"Forum"}, []string{"Forum", "Later"}
		}
		if got := names(it.SeenBy(tok)); !slices.Equal(got, wantAdd) {
			t.Errorf("scopes %v: the add shows %q, want %q", scopes, got, wantAdd)
		}
		got := names(items[0].SeenBy(tok))
		slices.Sort(got)
		if !slices.Equal(got, wantList) {
			t.Errorf("scopes %v: the list shows %q, want %q", scopes, got, wantList)
		}
	}
}
