package routes

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/breach"
	"pcmt/store"
)

// watch posts the add form and returns the response.
func (s *session) watch(value string) (*http.Response, string) {
	s.app.t.Helper()
	return s.post("/watchlist", "/watchlist", url.Values{"value": {value}})
}

// watchlist loads the page and returns its rows.
func (s *session) watchlist() *goquery.Selection {
	s.app.t.Helper()
	status, doc, _ := s.page("/watchlist")
	if status != http.StatusOK {
		s.app.t.Fatalf("GET /watchlist: %d", status)
	}
	return doc.Find(`[data-testid="watch-item"]`)
}

// watchIDs are the ids of the user's items, from the store.
func (a *testApp) watchIDs(userID int64) []int64 {
	a.t.Helper()
	items, err := a.h.store.WatchItems(context.Background(), userID)
	if err != nil {
		a.t.Fatal(err)
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

func deletePath(id int64) string { return "/watchlist/" + strconv.FormatInt(id, 10) + "/delete" }

// importAccounts stores an undated breach holding the given e-mail
// addresses and matches it, the way an import does.
func (a *testApp) importAccounts(name string, emails ...string) int64 {
	a.t.Helper()
	return a.importDated(name, time.Time{}, nil, emails...)
}

// importDated is importAccounts with the breach's date and data classes.
func (a *testApp) importDated(name string, date time.Time, classes []string, emails ...string) int64 {
	a.t.Helper()
	var digests [][]byte
	for _, e := range emails {
		d := breach.EmailDigest([]byte(e))
		digests = append(digests, d[:])
	}
	slices.SortFunc(digests, bytes.Compare)
	ids, err := a.h.store.ImportBreaches(context.Background(), []store.NewBreach{{
		Breach:  store.Breach{Name: name, Title: name, Date: date, DataClasses: classes},
		Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, digests)},
	}}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.deps.Matcher.MatchBreaches(context.Background(), ids); err != nil {
		a.t.Fatal(err)
	}
	return ids[0]
}

func TestWatchlistAddListDelete(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	if rows := s.watchlist(); rows.Length() != 0 {
		t.Fatalf("%d rows on a new watchlist", rows.Length())
	}
	for _, v := range []string{" Tracked.Person@Example.org ", "tracked_user"} {
		if resp, body := s.watch(v); resp.StatusCode != http.StatusSeeOther || location(resp) != "/watchlist" {
			t.Fatalf("watch %q: %d → %s\n%.500s", v, resp.StatusCode, location(resp), body)
		}
	}
	_, doc, _ := s.page("/watchlist")
	rows := doc.Find(`[data-testid="watch-item"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	if v := rows.Eq(0).Find(`[data-testid="watch-value"]`).Text(); v != "Tracked.Person@Example.org" {
		t.Fatalf("first value %q", v)
	}
	if v := rows.Eq(1).Find(`[data-testid="watch-value"]`).Text(); v != "tracked_user" {
		t.Fatalf("second value %q", v)
	}
	if !strings.Contains(rows.Eq(0).Text(), "E-mail") || !strings.Contains(rows.Eq(1).Text(), "Username") {
		t.Fatal("kinds not shown")
	}

	ids := a.watchIDs(u.ID)
	resp, _ := s.post("/watchlist", deletePath(ids[0]), nil)
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/watchlist" {
		t.Fatalf("delete: %d → %s", resp.StatusCode, location(resp))
	}
	rows = s.watchlist()
	if rows.Length() != 1 || rows.Find(`[data-testid="watch-value"]`).Text() != "tracked_user" {
		t.Fatalf("after the delete: %q", rows.Text())
	}
	if resp, _ := s.post("/watchlist", deletePath(ids[0]), nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deleting it again: %d", resp.StatusCode)
	}
	if resp, _ := s.post("/watchlist", "/watchlist/abc/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a malformed id: %d", resp.StatusCode)
	}
}

func TestWatchlistRefusesBadValues(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	if resp, _ := s.watch("tracked.person@example.org"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first add: %d", resp.StatusCode)
	}
	for _, c := range []struct{ name, value, want string }{
		{"empty", "   ", "Enter an e-mail address or a username"},
		{"no domain dot", "name@example", "like name@example.org"},
		{"two @", "a@b@example.org", "like name@example.org"},
		{"long address", strings.Repeat("a", 243) + "@example.org", "at most 254"},
		{"long username", strings.Repeat("u", 65), "1 to 64"},
		{"control character", "bad\x01name", "printable"},
		{"duplicate", "TRACKED.person@example.org", "already watch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.watch(c.value)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			doc := parseHTML(t, body)
			if msg := doc.Find(`#watch-form [data-testid="value-error"]`).Text(); !strings.Contains(msg, c.want) {
				t.Fatalf("message %q, want %q", msg, c.want)
			}
			if doc.Find(`[data-testid="watch-item"]`).Length() != 1 {
				t.Fatal("the full page should list the watchlist again")
			}
		})
	}
	if rows := s.watchlist(); rows.Length() != 1 {
		t.Fatalf("%d rows after refusals", rows.Length())
	}

	// Under htmx a refusal is the form alone.
	_, _, token := s.page("/watchlist")
	req := httptest.NewRequest(http.MethodPost, "/watchlist", strings.NewReader(url.Values{"value": {""}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	resp, body := s.do(req)
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "<html") || !strings.Contains(body, `id="watch-form"`) {
		t.Fatalf("htmx refusal: %d\n%.300s", resp.StatusCode, body)
	}
}

func TestWatchlistHoldsFifty(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	for i := range store.MaxWatchItems {
		if resp, _ := s.watch(fmt.Sprintf("user%02d", i)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("item %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := s.watch("one-too-many")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "remove one first") {
		t.Fatalf("item 51: %d", resp.StatusCode)
	}
}

// TestOtherUsersWatchItemsAreOutOfReach: naming another user's item is 404
// and leaves it be; admins get 403 on every watchlist route.
func TestOtherUsersWatchItemsAreOutOfReach(t *testing.T) {
	a := newTestApp(t, nil)
	browsers := signInEveryRole(t, a)
	u, err := a.h.store.UserByLogin(context.Background(), "ursula")
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := browsers[user].watch("tracked.person@example.org"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d", resp.StatusCode)
	}
	id := a.watchIDs(u.ID)[0]
	if resp, _ := browsers[otherUser].post("/watchlist", deletePath(id), nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another user deleting: %d, want 404", resp.StatusCode)
	}
	if rows := browsers[otherUser].watchlist(); rows.Length() != 0 {
		t.Fatalf("another user sees %d items", rows.Length())
	}
	if resp, _ := browsers[admin].do(httptest.NewRequest(http.MethodGet, "/watchlist", nil)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin GET /watchlist: %d", resp.StatusCode)
	}
	if resp, _ := browsers[admin].post("/settings", deletePath(id), nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin delete: %d", resp.StatusCode)
	}
	if len(a.watchIDs(u.ID)) != 1 {
		t.Fatal("the item is gone")
	}
}

func TestWatchlistShowsBreachesAndAlertSetting(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	a.importAccounts("Old leak", "tracked.person@example.org")
	s.watch("tracked.person@example.org")
	_, doc, _ := s.page("/watchlist")
	if f := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(f, "already in 1 breach") {
		t.Fatalf("flash %q", f)
	}
	if found := doc.Find(`[data-testid="watch-found"]`).Parent().Text(); !strings.Contains(found, "Old leak") {
		t.Fatalf("found %q", found)
	}
	if _, ok := doc.Find(`[data-testid="email-alerts"]`).Attr("checked"); !ok {
		t.Fatal("e-mail alerts are on by default")
	}
	if resp, _ := s.post("/watchlist", "/watchlist/email-alerts", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning e-mail off: %d", resp.StatusCode)
	}
	_, doc, _ = s.page("/watchlist")
	if _, ok := doc.Find(`[data-testid="email-alerts"]`).Attr("checked"); ok {
		t.Fatal("e-mail alerts still on")
	}
	if on, _ := a.h.store.EmailAlerts(context.Background(), u.ID); on {
		t.Fatal("the store still has e-mail alerts on")
	}
	if n, _ := a.h.store.PendingMailCount(context.Background()); n != 0 {
		t.Fatalf("%d mails for a breach known at add time", n)
	}
}

// TestWatchItemsAfterAnAdminReset: the old key is gone, so the values are
// unreadable, and said to be; they are still matched.
func TestWatchItemsAfterAnAdminReset(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	s.watch("tracked.person@example.org")
	hash, err := a.deps.Hasher.Hash(context.Background(), "reset lantern paper")
	if err != nil {
		t.Fatal(err)
	}
	// What the admin reset does: a new hash, no key, every session out.
	if _, err := a.h.audit.ResetPassword(context.Background(), u.ID, store.PasswordChange{Hash: hash, MustChangePassword: true},
		time.Now(), &store.Activity{Event: store.EventPasswordReset}, noDetail); err != nil {
		t.Fatal(err)
	}
	a.h.vault.DropUser(u.ID, nil)
	s = a.session()
	if resp := s.signIn("ursula", "reset lantern paper"); location(resp) != "/settings/password" {
		t.Fatalf("sign-in after the reset → %s", location(resp))
	}
	if resp := s.changePassword("reset lantern paper", "a new morning walk"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", resp.StatusCode)
	}
	rows := s.watchlist()
	if rows.Length() != 1 || !strings.Contains(rows.Find(`[data-testid="watch-unreadable"]`).Text(), "remove and add again") {
		t.Fatalf("after the reset: %q", rows.Text())
	}
	a.importAccounts("New leak", "tracked.person@example.org")
	if found := s.watchlist().Find(`[data-testid="watch-found"]`).Parent().Text(); !strings.Contains(found, "New leak") {
		t.Fatalf("the unreadable item was not matched: %q", found)
	}
	// Added again under the new key, it reads.
	if resp, _ := s.post("/watchlist", deletePath(a.watchIDs(u.ID)[0]), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	s.watch("tracked.person@example.org")
	if v := s.watchlist().Find(`[data-testid="watch-value"]`).Text(); v != "tracked.person@example.org" {
		t.Fatalf("added again: %q", v)
	}
}

// TestTheAppMatchesWithTheMatcherItIsGiven: a value added on the watchlist
// is matched by the matcher in Deps (here with a clock of its own), the one
// serve's imports use too, not by one the app would make for itself.
func TestTheAppMatchesWithTheMatcherItIsGiven(t *testing.T) {
	at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	a := newTestAppWith(t, nil, func(d *Deps) { d.Matcher.Now = func() time.Time { return at } })
	a.importAccounts("Forum", "watched@example.org")
	u, s := a.newMember("carol", "a long passphrase")
	if resp, _ := s.watch("watched@example.org"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d", resp.StatusCode)
	}
	alerts, err := a.h.store.AlertsFor(t.Context(), u.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || !alerts[0].CreatedAt.Equal(at) {
		t.Fatalf("alerts %+v, want one made at %s by the given matcher", alerts, at)
	}
}
