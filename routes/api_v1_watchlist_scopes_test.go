package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"pcmt/store"
)

// apiWatchAdd adds value with token and returns the item the API answers.
func apiWatchAdd(t *testing.T, a *testApp, token, value string) apiWatchItem {
	t.Helper()
	resp, body := apiSend(t, a, http.MethodPost, "/api/v1/watchlist", token, `{"value": "`+value+`"}`)
	var item apiWatchItem
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &item) != nil {
		t.Fatalf("add %s: %d %s", value, resp.StatusCode, body)
	}
	return item
}

// apiWatchBreaches lists the watchlist with token: the breaches of each
// item by id.
func apiWatchBreaches(t *testing.T, a *testApp, token string) map[int64][]string {
	t.Helper()
	resp, body := apiSend(t, a, http.MethodGet, "/api/v1/watchlist", token, "")
	var list struct{ Items []apiWatchItem }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	out := map[int64][]string{}
	for _, it := range list.Items {
		if it.Breaches == nil {
			t.Fatalf("item %d without a breaches array: %s", it.ID, body)
		}
		names := slices.Clone(it.Breaches)
		slices.Sort(names)
		out[it.ID] = names
	}
	return out
}

// A token without the search scope must not search by watching: the
// breaches that already held a value when it was added are a search's
// answer, shown neither by the add nor by the list. What reached the
// instance after the value was added is what watching it found, and any
// token that may read the watchlist sees that.
func TestAPIWatchlistIsNoSearchWithoutTheScope(t *testing.T) {
	a := newTestApp(t, nil)
	ctx := context.Background()
	a.importAccounts("Forum", "watched@example.org", "other@example.org")
	// A breach that came from HIBP's list before the values were added.
	if err := a.h.store.AddHIBPBreaches(ctx, []store.Breach{{Name: "Old", Title: "Old"}}, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	old, err := a.h.store.BreachByName(ctx, "Old (HIBP)")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := a.newMember("carol", "a long passphrase")
	tok := func(scopes ...string) string { return storeToken(t, a, u.ID, time.Hour, scopes...) }
	const (
		S = store.ScopeSearch
		R = store.ScopeWatchlistRead
		W = store.ScopeWatchlistWrite
	)

	// Adding: the breaches show only with the search scope. Without it the
	// answer for a breached value is the answer for a clean one.
	items := map[string]apiWatchItem{}
	for i, c := range []struct {
		scopes []string
		value  string
		want   []string
	}{
		{[]string{W}, "watched@example.org", []string{}},
		{[]string{W}, "clean@example.org", []string{}},
		{[]string{W, R}, "Other@example.org", []string{}},
		{[]string{W, S}, "WATCHED@example.org", []string{"Forum"}},
		{[]string{W, R, S}, "other@example.org", []string{"Forum"}},
	} {
		if i == 3 { // the same values again, through tokens that may search
			for _, id := range a.watchIDs(u.ID) {
				if err := a.h.store.DeleteWatchItem(ctx, u.ID, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		item := apiWatchAdd(t, a, tok(c.scopes...), c.value)
		if !slices.Equal(item.Breaches, c.want) {
			t.Errorf("add %s with %v: breaches %q, want %q", c.value, c.scopes, item.Breaches, c.want)
		}
		items[strings.ToLower(c.value)] = item
	}
	watched, other := items["watched@example.org"].ID, items["other@example.org"].ID
	clean := apiWatchAdd(t, a, tok(W), "clean@example.org").ID

	// A later import, and an HIBP recheck that found the value in the
	// breach from HIBP's list, older than the value.
	a.importAccounts("Later", "watched@example.org")
	if n, err := a.h.store.RecordAlerts(ctx, []store.NewAlert{{UserID: u.ID, BreachID: old.ID, WatchItemID: watched}}, time.Now()); err != nil || n != 1 {
		t.Fatalf("recheck alert: %d %v", n, err)
	}

	for _, c := range []struct {
		scopes []string
		want   map[int64][]string
	}{
		{[]string{R}, map[int64][]string{watched: {"Later"}, other: {}, clean: {}}},
		{[]string{R, W}, map[int64][]string{watched: {"Later"}, other: {}, clean: {}}},
		{[]string{R, S}, map[int64][]string{watched: {"Forum", "Later", "Old (HIBP)"}, other: {"Forum"}, clean: {}}},
	} {
		got := apiWatchBreaches(t, a, tok(c.scopes...))
		if len(got) != len(c.want) {
			t.Fatalf("list with %v: %v", c.scopes, got)
		}
		for id, want := range c.want {
			if !slices.Equal(got[id], want) {
				t.Errorf("list with %v: item %d in %q, want %q", c.scopes, id, got[id], want)
			}
		}
	}

	// Tokens without the scope they need are refused as before.
	if resp, _ := apiSend(t, a, http.MethodGet, "/api/v1/watchlist", tok(W, S), ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("list without watchlist:read: %d", resp.StatusCode)
	}
	if resp, _ := apiSend(t, a, http.MethodPost, "/api/v1/watchlist", tok(R, S), `{"value": "x@example.org"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("add without watchlist:write: %d", resp.StatusCode)
	}
}
