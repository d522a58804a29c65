package routes

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/store"
)

// wantAccess is the rule of every route, written out again on purpose: a
// route added to the table without a rule here fails the test, and so does a
// route whose access changes without this list changing too.
var wantAccess = map[string]access{
	"GET /healthz":                          public,
	"GET /readyz":                           public,
	"GET /metrics":                          metricsScrape,
	"GET /static/:name":                     public,
	"GET /":                                 public,
	"GET /range/:prefix":                    public,
	"GET /signin":                           guest,
	"POST /signin":                          guest,
	"GET /signin/2fa":                       guest,
	"POST /signin/2fa":                      guest,
	"GET /signup":                           guest,
	"POST /signup":                          guest,
	"GET /signup/code":                      guest,
	"POST /signup/code":                     guest,
	"POST /signout":                         pending,
	"GET /dashboard":                        userRole,
	"POST /dashboard/seen":                  userRole,
	"GET /search":                           userRole,
	"POST /search":                          userRole,
	"GET /search/range":                     userRole,
	"GET /watchlist":                        userRole,
	"POST /watchlist":                       userRole,
	"POST /watchlist/email-alerts":          userRole,
	"POST /watchlist/:id/delete":            userRole,
	"GET /breaches":                         member,
	"GET /breaches/:id":                     member,
	"GET /settings":                         member,
	"GET /settings/password":                pending,
	"POST /settings/password":               pending,
	"GET /settings/sessions":                member,
	"POST /settings/sessions/revoke":        member,
	"POST /settings/sessions/revoke-others": member,
	"GET /settings/activity":                member,
	"GET /settings/2fa":                     member,
	"POST /settings/2fa/setup":              member,
	"POST /settings/2fa/enable":             member,
	"POST /settings/2fa/disable":            member,
	"POST /settings/2fa/recovery":           member,
	"GET /settings/tokens":                  member,
	"POST /settings/tokens":                 member,
	"POST /settings/tokens/:id/revoke":      member,
	"GET /admin/users":                      adminRole,
	"POST /admin/users":                     adminRole,
	"GET /admin/users/new":                  adminRole,
	"GET /admin/users/:id":                  adminRole,
	"POST /admin/users/:id/email":           adminRole,
	"POST /admin/users/:id/role":            adminRole,
	"POST /admin/users/:id/disable":         adminRole,
	"POST /admin/users/:id/enable":          adminRole,
	"POST /admin/users/:id/reset":           adminRole,
	"POST /admin/users/:id/delete":          adminRole,
	"GET /admin/audit":                      adminRole,
	"GET /admin/settings":                   adminRole,
	"POST /admin/settings/hibp":             adminRole,
	"POST /admin/settings/hibp/delete":      adminRole,
	"POST /admin/settings/hibp/test":        adminRole,
	"GET /admin/breaches":                   adminRole,
	"GET /admin/breaches/import":            adminRole,
	"POST /admin/breaches/import":           adminRole,
	"POST /admin/breaches/sync":             adminRole,
	"GET /admin/breaches/jobs/:id":          adminRole,
	"GET /admin/breaches/:id":               adminRole,
	"POST /admin/breaches/:id":              adminRole,
	"POST /admin/breaches/:id/delete":       adminRole,
	"GET /api/v1/openapi.json":              public,
	"GET /api/v1/me":                        apiToken,
	"GET /api/v1/search":                    userAPISearch,
	"GET /api/v1/watchlist":                 userWatchlistRead,
	"POST /api/v1/watchlist":                userWatchlistWrite,
	"DELETE /api/v1/watchlist/:id":          userWatchlistWrite,
	"GET /api/v3/breachedaccount/:account":  userHIBPSearch,
	"GET /api/v3/breaches":                  hibpToken,
	"GET /api/v3/breach/:name":              hibpToken,
	"GET /api/v3/dataclasses":               hibpToken,
}

type role string

const (
	anonymous    role = "anonymous"
	user         role = "user"
	otherUser    role = "other user"
	admin        role = "admin"
	pendingAdmin role = "admin who must change their password"
)

var roles = []role{anonymous, user, otherUser, admin, pendingAdmin}

// outcome is what the guard makes of a request.
type outcome string

const (
	allowed    outcome = "allowed"
	toSignIn   outcome = "redirected to /signin"
	toPassword outcome = "redirected to /settings/password"
	toHome     outcome = "sent home"
	forbidden  outcome = "forbidden"
	// unauthorized: an API route refuses every browser, signed in or
	// not: cookies never stand for a token.
	unauthorized outcome = "unauthorized"
	// failed: the app answered 5xx, which no role ever expects.
	failed outcome = "a server error"
)

func expected(a access, r role) outcome {
	signedIn := r != anonymous
	switch a {
	case apiToken, userAPISearch, userWatchlistRead, userWatchlistWrite, userHIBPSearch, hibpToken, metricsScrape:
		return unauthorized
	case public:
		return allowed
	case guest:
		if signedIn {
			return toHome
		}
		return allowed
	}
	switch {
	case !signedIn:
		return toSignIn
	case r == pendingAdmin && a != pending:
		return toPassword
	case a == userRole && (r == admin || r == pendingAdmin):
		return forbidden
	case a == adminRole && (r == user || r == otherUser):
		return forbidden
	}
	return allowed
}

// expectedWithToken is what a token route makes of a request that carries
// the personal API token, with every scope, of a role: visitors have none,
// and an admin who must change their password has none that works yet.
func expectedWithToken(a access, r role) outcome {
	switch {
	case r == anonymous || r == pendingAdmin:
		return unauthorized
	case r == admin:
		switch a {
		case userAPISearch, userWatchlistRead, userWatchlistWrite, userHIBPSearch:
			return forbidden
		}
	}
	return allowed
}

// TestEveryRouteForEveryRole walks the route table as each role and checks
// the guard's answer. Requests carry a valid CSRF token but no form fields,
// so an allowed state-changing route refuses the empty form and changes
// nothing; refusing it with a 5xx fails the test.
func TestEveryRouteForEveryRole(t *testing.T) {
	probe := newTestApp(t, nil)
	seen := map[string]bool{}
	for _, r := range probe.h.routes() {
		key := r.method + " " + r.path
		seen[key] = true
		want, ok := wantAccess[key]
		if !ok {
			t.Errorf("route %s has no rule in this test", key)
			continue
		}
		if r.access != want {
			t.Errorf("route %s: access %d in the table, %d here", key, r.access, want)
		}
	}
	for key := range wantAccess {
		if !seen[key] {
			t.Errorf("rule for %s, which is not in the route table", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	for _, r := range probe.h.routes() {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t, enableMetrics)
			browsers := signInEveryRole(t, a)
			target := a.h.store
			u, err := target.UserByLogin(t.Context(), "ursula")
			if err != nil {
				t.Fatal(err)
			}
			path := strings.NewReplacer(":id", strconv.FormatInt(u.ID, 10), ":name", "app.css", ":prefix", "21BD1",
				":account", "ann@example.org").Replace(r.path)
			for _, who := range roles {
				s := browsers[who]
				var resp *http.Response
				switch r.method {
				case http.MethodGet, http.MethodDelete:
					resp, _ = s.do(httptest.NewRequest(r.method, path, nil))
				default:
					resp, _ = s.post("/", path, url.Values{})
				}
				got := classify(t, resp, who, r)
				if want := expected(r.access, who); got != want {
					t.Errorf("as %s: %s (status %d → %q), want %s", who, got, resp.StatusCode, location(resp), want)
				}
			}
			if a.h.tokenAccess(r.access) == nil {
				return
			}
			for who, token := range tokenOfEveryRole(t, a) {
				resp, _ := a.do(tokenRequest(r, path, token))
				got := classify(t, resp, who, r)
				if want := expectedWithToken(r.access, who); got != want {
					t.Errorf("with the token of %s: %s (status %d), want %s", who, got, resp.StatusCode, want)
				}
			}
		})
	}
}

func classify(t *testing.T, resp *http.Response, who role, r route) outcome {
	t.Helper()
	loc := location(resp)
	switch {
	case resp.StatusCode >= 500:
		return failed
	case resp.StatusCode == http.StatusUnauthorized:
		return unauthorized
	case resp.StatusCode == http.StatusForbidden:
		return forbidden
	case r.access == guest && who == anonymous:
		// The guard lets visitors through; a handler may still send them
		// on (/signin/2fa without a pending sign-in goes to /signin).
		return allowed
	case r.path == "/signout" && who != anonymous:
		// Signing out sends everyone to /signin: allowed means the session
		// really ended.
		for _, c := range resp.Cookies() {
			if strings.HasSuffix(c.Name, "pcmt_session") && c.MaxAge < 0 {
				return allowed
			}
		}
		return toSignIn
	case resp.StatusCode == http.StatusSeeOther && loc == "/signin":
		return toSignIn
	case resp.StatusCode == http.StatusSeeOther && loc == "/settings/password" && r.access != guest:
		return toPassword
	case resp.StatusCode == http.StatusSeeOther && r.access == guest &&
		(loc == "/dashboard" || loc == "/admin/users" || loc == "/settings/password"):
		return toHome
	}
	return allowed
}

// signInEveryRole returns a browser for each role: a user and another user
// who set their own passwords, an admin, and an admin still on the password
// someone else gave them.
func signInEveryRole(t *testing.T, a *testApp) map[role]*session {
	t.Helper()
	_, u := a.newMember("ursula", "a quiet morning walk")
	_, o := a.newMember("otto", "the river runs north")
	a.addUser("root", store.RoleAdmin, "granite tower nights", false)
	ad := a.session()
	if resp := ad.signIn("root", "granite tower nights"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin sign-in: %d", resp.StatusCode)
	}
	a.addUser("fresh", store.RoleAdmin, "given lantern paper", true)
	pa := a.session()
	if resp := pa.signIn("fresh", "given lantern paper"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pending admin sign-in: %d", resp.StatusCode)
	}
	return map[role]*session{anonymous: a.session(), user: u, otherUser: o, admin: ad, pendingAdmin: pa}
}

// tokenOfEveryRole gives the roles of signInEveryRole a token with every
// scope each; visitors get none.
func tokenOfEveryRole(t *testing.T, a *testApp) map[role]string {
	t.Helper()
	logins := map[role]string{user: "ursula", otherUser: "otto", admin: "root", pendingAdmin: "fresh"}
	tokens := map[role]string{anonymous: ""}
	for who, login := range logins {
		u, err := a.h.store.UserByLogin(t.Context(), login)
		if err != nil {
			t.Fatal(err)
		}
		tokens[who] = storeToken(t, a, u.ID, time.Hour, store.ScopeSearch, store.ScopeWatchlistRead, store.ScopeWatchlistWrite)
	}
	return tokens
}

// tokenRequest is a request to a token route with token where that route's
// clients put it, and a JSON body the write routes refuse as incomplete.
func tokenRequest(r route, path, token string) *http.Request {
	req := httptest.NewRequest(r.method, path, strings.NewReader("{}"))
	if token == "" {
		return req
	}
	if r.access == userHIBPSearch || r.access == hibpToken {
		req.Header.Set("hibp-api-key", token)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// TestOtherUsersSessionsAreOutOfReach: a user naming another user's session
// gets 404, as if it did not exist, and the session goes on.
func TestOtherUsersSessionsAreOutOfReach(t *testing.T) {
	a := newTestApp(t, nil)
	browsers := signInEveryRole(t, a)
	victim := currentHash(t, a, browsers[user])
	resp, _ := browsers[otherUser].post("/settings/sessions", "/settings/sessions/revoke",
		url.Values{"session": {hex.EncodeToString(victim)}})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking another user's session: %d, want 404", resp.StatusCode)
	}
	if signedOut(t, browsers[user]) {
		t.Fatal("another user ended this user's session")
	}
	// Nor does an admin's session list show anyone else's.
	_, body := browsers[admin].do(httptest.NewRequest(http.MethodGet, "/settings/sessions", nil))
	if n := parseHTML(t, body).Find(`[data-testid="session"]`).Length(); n != 1 {
		t.Fatalf("the admin sees %d sessions, want only their own", n)
	}
}
