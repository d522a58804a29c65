package routes

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"pcmt/store"
)

func apiGet(t *testing.T, a *testApp, path, token string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.do(req)
}

func TestAPISearch(t *testing.T) {
	a := newTestApp(t, nil)
	v3Breaches(t, a)
	u := a.addUser("carol", store.RoleUser, "a long passphrase", false)
	adm := a.addUser("root", store.RoleAdmin, "another long passphrase", false)
	token := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)

	resp, body := apiGet(t, a, "/api/v1/search?q="+url.QueryEscape("Ann@Example.org"), token)
	var r apiSearchResult
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	if r.Kind != "email" || !r.Found || len(r.Breaches) != 2 || r.LocalBreaches != 2 || r.HIBP != "off" {
		t.Fatalf("result: %+v", r)
	}
	if b := r.Breaches[0]; b.Title != "The Forum" || b.Date != "2021-05-06" || b.Source != "local" || b.URL == "" || !b.Verified {
		t.Fatalf("first breach: %+v", b)
	}
	_, body = apiGet(t, a, "/api/v1/search?q=nobody", token)
	if json.Unmarshal([]byte(body), &r) != nil || r.Found || r.Kind != "username" || len(r.Breaches) != 0 {
		t.Fatalf("clean search: %s", body)
	}
	for _, tc := range []struct {
		path, token string
		status      int
	}{
		{"/api/v1/search?q=", token, http.StatusBadRequest},
		{"/api/v1/search?q=ann@example.org", storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistRead), http.StatusForbidden},
		{"/api/v1/search?q=ann@example.org", storeToken(t, a, adm.ID, time.Hour, store.ScopeSearch), http.StatusForbidden},
		{"/api/v1/search?q=ann@example.org", storeToken(t, a, u.ID, -time.Minute, store.ScopeSearch), http.StatusUnauthorized},
		{"/api/v1/search?q=ann@example.org", "", http.StatusUnauthorized},
	} {
		resp, body := apiGet(t, a, tc.path, tc.token)
		var e apiErrorBody
		if resp.StatusCode != tc.status || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code == "" {
			t.Fatalf("%s: %d %s, want %d with a JSON error", tc.path, resp.StatusCode, body, tc.status)
		}
	}
}
