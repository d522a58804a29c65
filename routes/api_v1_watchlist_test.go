package routes

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/store"
)

func apiSend(t *testing.T, a *testApp, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return a.do(req)
}

func TestAPIWatchlist(t *testing.T) {
	a := newTestApp(t, nil)
	a.importAccounts("Forum", "watched@example.org")
	u, _ := a.newMember("carol", "a long passphrase")
	other, _ := a.newMember("dave", "another long passphrase")
	adm := a.addUser("root", store.RoleAdmin, "the admin passphrase", false)
	rw := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistRead, store.ScopeWatchlistWrite, store.ScopeSearch)
	ro := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistRead, store.ScopeSearch)

	resp, body := apiSend(t, a, http.MethodPost, "/api/v1/watchlist", rw, `{"value": "Watched@Example.org"}`)
	var added apiWatchItem
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &added) != nil ||
		added.Kind != "email" || len(added.Breaches) != 1 || added.Breaches[0] != "Forum" {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		body, token string
		status      int
	}{
		{`{"value": "watched@example.org"}`, rw, http.StatusConflict},
		{`{"value": "not an address@"}`, rw, http.StatusUnprocessableEntity},
		{`{"value": ""}`, rw, http.StatusUnprocessableEntity},
		{`value=x`, rw, http.StatusBadRequest},
		{`{"value": "someone"}`, ro, http.StatusForbidden},
		{`{"value": "someone"}`, storeToken(t, a, adm.ID, time.Hour, store.ScopeWatchlistWrite), http.StatusForbidden},
	} {
		resp, body := apiSend(t, a, http.MethodPost, "/api/v1/watchlist", tc.token, tc.body)
		var e apiErrorBody
		if resp.StatusCode != tc.status || json.Unmarshal([]byte(body), &e) != nil || e.Error.Message == "" {
			t.Fatalf("%s: %d %s, want %d", tc.body, resp.StatusCode, body, tc.status)
		}
	}
	if resp, _ := apiSend(t, a, http.MethodPost, "/api/v1/watchlist", rw, `{"value": "carol_alt"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("username: %d", resp.StatusCode)
	}

	resp, body = apiSend(t, a, http.MethodGet, "/api/v1/watchlist", ro, "")
	var list struct{ Items []apiWatchItem }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list.Items) != 2 ||
		list.Items[0].ID != added.ID || len(list.Items[0].Breaches) != 1 || list.Items[1].Kind != "username" {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	// The values are the user's secret: the API never shows them back.
	if strings.Contains(strings.ToLower(body), "watched@example.org") || strings.Contains(body, "carol_alt") {
		t.Fatalf("the list shows a watched value: %s", body)
	}

	path := "/api/v1/watchlist/" + strconv.FormatInt(added.ID, 10)
	otherToken := storeToken(t, a, other.ID, time.Hour, store.ScopeWatchlistWrite)
	if resp, _ := apiSend(t, a, http.MethodDelete, path, otherToken, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's delete: %d", resp.StatusCode)
	}
	if resp, _ := apiSend(t, a, http.MethodDelete, path, ro, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("read-only delete: %d", resp.StatusCode)
	}
	if resp, _ := apiSend(t, a, http.MethodDelete, path, rw, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp, _ := apiSend(t, a, http.MethodDelete, path, rw, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("second delete: %d", resp.StatusCode)
	}
}
