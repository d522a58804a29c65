package routes

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/store"
)

var tokenPattern = regexp.MustCompile(`^pcmt_[a-z2-7]{52}$`)

// createToken posts the new-token form from this browser and returns the
// response, its document and the token it shows ("" when none).
func (s *session) createToken(form url.Values) (*http.Response, *goquery.Document, string) {
	s.app.t.Helper()
	resp, body := s.post("/settings/tokens", "/settings/tokens", form)
	doc := parseHTML(s.app.t, body)
	token, _ := doc.Find(`[data-testid="new-token-value"]`).Attr("value")
	return resp, doc, token
}

func tokenFormValues(name string, days string, scopes ...string) url.Values {
	return url.Values{"name": {name}, "expiry": {days}, "scope": scopes}
}

func TestCreateTokenIsShownOnce(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	resp, doc, token := s.createToken(tokenFormValues("backup script", "90", store.ScopeSearch, store.ScopeWatchlistRead))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create: %d, want 200 (a page, not a redirect)", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	if !tokenPattern.MatchString(token) {
		t.Fatalf("token %q", token)
	}
	if _, readonly := doc.Find(`[data-testid="new-token-value"]`).Attr("readonly"); !readonly {
		t.Fatal("the token's field is not read-only")
	}
	rows := doc.Find(`[data-testid="token"]`)
	if rows.Length() != 1 {
		t.Fatalf("%d rows", rows.Length())
	}
	if got := rows.Find(`[data-testid="token-prefix"]`).Text(); got != token[:13]+"…" {
		t.Fatalf("prefix %q, want %q", got, token[:13]+"…")
	}
	if got := strings.Join(strings.Fields(rows.Find(`[data-testid="token-scopes"]`).Text()), " "); got != "search, watchlist:read" {
		t.Fatalf("scopes %q", got)
	}
	if got := rows.Find(`[data-testid="token-state"]`).Text(); got != "active" {
		t.Fatalf("state %q", got)
	}
	list, err := a.h.store.Tokens(context.Background(), u.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("stored %+v %v", list, err)
	}
	if d := list[0].ExpiresAt.Sub(list[0].CreatedAt); d != 90*24*time.Hour {
		t.Fatalf("lifetime %s", d)
	}

	// Reloading never shows it again.
	_, body := s.do(httptestGet("/settings/tokens"))
	if strings.Contains(body, token) || strings.Contains(body, token[13:]) {
		t.Fatal("the token is on the page again")
	}
	if n := parseHTML(t, body).Find(`[data-testid="new-token"]`).Length(); n != 0 {
		t.Fatal("the page shows a new token on reload")
	}
	// Nor is it in the log.
	if strings.Contains(a.log.String(), token[13:]) {
		t.Fatal("the token is in the log")
	}
}

func TestCreateTokenRefusesBadInput(t *testing.T) {
	cases := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no name", tokenFormValues("  ", "30", store.ScopeSearch), "name"},
		{"long name", tokenFormValues(strings.Repeat("x", 65), "30", store.ScopeSearch), "name"},
		{"control character", tokenFormValues("a\x07b", "30", store.ScopeSearch), "name"},
		{"no scope", tokenFormValues("ci", "30"), "scope"},
		{"unknown scope", tokenFormValues("ci", "30", store.ScopeSearch, "admin"), "scope"},
		{"no expiry", tokenFormValues("ci", "", store.ScopeSearch), "expiry"},
		{"never", tokenFormValues("ci", "never", store.ScopeSearch), "expiry"},
		{"other lifetime", tokenFormValues("ci", "3650", store.ScopeSearch), "expiry"},
	}
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, doc, token := s.createToken(tc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if token != "" {
				t.Fatal("a token was shown")
			}
			if doc.Find(`[data-testid="`+tc.field+`-error"]`).Length() != 1 {
				t.Fatalf("no message beside %s", tc.field)
			}
		})
	}
	if list, _ := a.h.store.Tokens(context.Background(), u.ID); len(list) != 0 {
		t.Fatalf("%d tokens stored", len(list))
	}
	// A name of 64 characters, non-ASCII included, is fine.
	if resp, _, token := s.createToken(tokenFormValues(strings.Repeat("é", 64), "7", store.ScopeWatchlistWrite)); resp.StatusCode != http.StatusOK || token == "" {
		t.Fatalf("a 64-character name: %d", resp.StatusCode)
	}
}

func TestTokenLimitOnThePage(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	for range store.MaxLiveTokens {
		storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	}
	_, doc, _ := s.page("/settings/tokens")
	if doc.Find(`[data-testid="token-limit"]`).Length() != 1 {
		t.Fatal("the page does not say the limit is reached")
	}
	resp, doc, token := s.createToken(tokenFormValues("one more", "30", store.ScopeSearch))
	if resp.StatusCode != http.StatusUnprocessableEntity || token != "" || doc.Find(`[data-testid="form-error"]`).Length() != 1 {
		t.Fatalf("token %d: status %d, token %q", store.MaxLiveTokens+1, resp.StatusCode, token)
	}
}

func TestRevokeToken(t *testing.T) {
	a := newTestApp(t, nil)
	u, s := a.newMember("ursula", "a quiet morning walk")
	_, o := a.newMember("otto", "the river runs north")
	_, _, token := s.createToken(tokenFormValues("ci", "30", store.ScopeSearch))
	if status, _ := apiMe(t, a, token); status != http.StatusOK {
		t.Fatalf("fresh token: %d", status)
	}
	list, _ := a.h.store.Tokens(context.Background(), u.ID)
	revoke := "/settings/tokens/" + strconv.FormatInt(list[0].ID, 10) + "/revoke"

	// Another user names it: it does not exist for them, and goes on working.
	if resp, _ := o.post("/settings/tokens", revoke, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another user revoking: %d, want 404", resp.StatusCode)
	}
	if status, _ := apiMe(t, a, token); status != http.StatusOK {
		t.Fatalf("after another user's attempt: %d", status)
	}
	if resp, _ := s.post("/settings/tokens", "/settings/tokens/abc/revoke", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking a malformed id: %d", resp.StatusCode)
	}

	resp, _ := s.post("/settings/tokens", revoke, nil)
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/settings/tokens" {
		t.Fatalf("revoke: %d → %q", resp.StatusCode, location(resp))
	}
	_, doc, _ := s.page("/settings/tokens")
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "revoked") {
		t.Fatal("no flash after revoking")
	}
	if got := doc.Find(`[data-testid="token-state"]`).Text(); got != "revoked" {
		t.Fatalf("state %q", got)
	}
	if doc.Find(`[data-testid="revoke-token"]`).Length() != 0 {
		t.Fatal("a revoked token still has a revoke button")
	}
	// At once: the next request is refused.
	if status, body := apiMe(t, a, token); status != http.StatusUnauthorized || body.Error.Code != "revoked_token" {
		t.Fatalf("revoked token: %d %+v", status, body)
	}
}

func TestPasswordChangeRevokesTokens(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("ursula", "a quiet morning walk")
	_, _, token := s.createToken(tokenFormValues("ci", "30", store.ScopeSearch))
	resp := s.changePassword("a quiet morning walk", "an evening by the lake")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", resp.StatusCode)
	}
	_, doc, _ := s.page(location(resp))
	if flash := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Your API tokens were revoked; create new ones.") {
		t.Fatalf("flash %q", flash)
	}
	if status, body := apiMe(t, a, token); status != http.StatusUnauthorized || body.Error.Code != "revoked_token" {
		t.Fatalf("token after the password change: %d %+v", status, body)
	}
	// With no working tokens left, the next change does not mention them.
	resp = s.changePassword("an evening by the lake", "a third quiet password")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second change: %d", resp.StatusCode)
	}
	_, doc, _ = s.page(location(resp))
	if flash := doc.Find(`[data-testid="flash"]`).Text(); strings.Contains(flash, "API tokens") {
		t.Fatalf("flash %q", flash)
	}
}
