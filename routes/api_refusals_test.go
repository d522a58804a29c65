package routes

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// Every route that takes a token refuses a request with only a session
// cookie, an expired token, a revoked token and a token without its scope.
func TestEveryAPIRouteRefusesWhatItShould(t *testing.T) {
	a := newTestApp(t, nil)
	_, browser := a.newMember("carol", "a long passphrase")
	u, _ := a.h.store.UserByLogin(context.Background(), "carol")
	all := []string{store.ScopeSearch, store.ScopeWatchlistRead, store.ScopeWatchlistWrite}
	expired := storeToken(t, a, u.ID, -time.Minute, all...)
	revoked := storeToken(t, a, u.ID, time.Hour, all...)
	tokens, _ := a.h.store.Tokens(context.Background(), u.ID)
	for _, tok := range tokens {
		if tok.ExpiresAt.After(time.Now()) {
			if err := a.h.audit.RevokeToken(context.Background(), u.ID, tok.ID, &store.Activity{Event: store.EventTokenRevoked, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The scope each access level needs, and a token without it.
	needs := map[access]string{userAPISearch: store.ScopeSearch, userWatchlistRead: store.ScopeWatchlistRead,
		userWatchlistWrite: store.ScopeWatchlistWrite, userHIBPSearch: store.ScopeSearch}
	without := func(scope string) string {
		var others []string
		for _, s := range all {
			if s != scope {
				others = append(others, s)
			}
		}
		return storeToken(t, a, u.ID, time.Hour, others...)
	}
	n := 0
	for _, r := range a.h.routes() {
		if a.h.tokenAccess(r.access) == nil {
			continue
		}
		n++
		path := strings.NewReplacer(":id", "1", ":account", "carol@example.org", ":name", "Forum").Replace(r.path)
		header := "Authorization"
		prefix := "Bearer "
		if r.access == userHIBPSearch || r.access == hibpToken {
			header, prefix = "hibp-api-key", ""
		}
		send := func(token string) int {
			req := httptest.NewRequest(r.method, path, strings.NewReader(`{"value":"x@example.org"}`))
			if token != "" {
				req.Header.Set(header, prefix+token)
			}
			resp, _ := browser.do(req) // with the session cookie
			return resp.StatusCode
		}
		cases := map[string]struct {
			token string
			want  int
		}{
			"cookie only":   {"", http.StatusUnauthorized},
			"expired token": {expired, http.StatusUnauthorized},
			"revoked token": {revoked, http.StatusUnauthorized},
		}
		if scope, ok := needs[r.access]; ok {
			cases["wrong scope"] = struct {
				token string
				want  int
			}{without(scope), http.StatusForbidden}
		}
		for name, tc := range cases {
			if got := send(tc.token); got != tc.want {
				t.Errorf("%s %s with %s: %d, want %d", r.method, r.path, name, got, tc.want)
			}
		}
	}
	if n < 9 {
		t.Fatalf("only %d token routes found", n)
	}
}

// The guard, not the handler, refuses admins' tokens on the routes that
// hold what users track: each token level in front of a handler that
// answers 204 lets an admin's token with every scope through or not, as
// the level says, and the user's token through always.
func TestTokenLevelsRefuseAdminsBeforeTheHandler(t *testing.T) {
	a := newTestApp(t, nil)
	all := []string{store.ScopeSearch, store.ScopeWatchlistRead, store.ScopeWatchlistWrite}
	u, _ := a.newMember("carol", "a long passphrase")
	adm := a.addUser("root", store.RoleAdmin, "another long passphrase", false)
	tokens := map[string]string{"user": storeToken(t, a, u.ID, time.Hour, all...), "admin": storeToken(t, a, adm.ID, time.Hour, all...)}
	levels := map[access]bool{ // access level → admins refused
		apiToken: false, userAPISearch: true, userWatchlistRead: true, userWatchlistWrite: true,
		userHIBPSearch: true, hibpToken: false,
	}
	for level, refused := range levels {
		app := fiber.New()
		app.Get("/probe", a.h.guard(level), func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) })
		for who, token := range tokens {
			resp, body := do(t, app, tokenRequest(route{method: http.MethodGet, access: level}, "/probe", token))
			want := http.StatusNoContent
			if who == "admin" && refused {
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				t.Errorf("level %d, %s's token: %d %s, want %d", level, who, resp.StatusCode, body, want)
			}
		}
	}
}
