package routes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// storeToken makes a token for userID straight in the store and returns it.
func storeToken(t *testing.T, a *testApp, userID int64, ttl time.Duration, scopes ...string) string {
	t.Helper()
	plain, digest, shown := newAPIToken()
	now := a.h.now()
	_, err := a.h.store.CreateToken(context.Background(), store.NewToken{
		UserID: userID, Name: "test", Digest: digest, Prefix: shown, Scopes: scopes,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// apiReply is GET /api/v1/me's answer, or an API error.
type apiReply struct {
	tokenOwner
	Error apiErrorDetail `json:"error"`
}

func decodeAPI(t *testing.T, resp *http.Response, body string) apiReply {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, body %q", ct, body)
	}
	var r apiReply
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%v: %q", err, body)
	}
	return r
}

// apiMe asks GET /api/v1/me with token as the bearer token.
func apiMe(t *testing.T, a *testApp, token string) (int, apiReply) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, body := a.do(req)
	return resp.StatusCode, decodeAPI(t, resp, body)
}

func TestBearerRefusals(t *testing.T) {
	a := newTestApp(t, nil)
	u, _ := a.newMember("ursula", "a quiet morning walk")
	good := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	revoked := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	list, _ := a.h.store.Tokens(context.Background(), u.ID) // newest first
	if err := a.h.audit.RevokeToken(context.Background(), u.ID, list[0].ID, &store.Activity{Event: store.EventTokenRevoked, At: a.h.now()}); err != nil {
		t.Fatal(err)
	}
	// The expired token was made two hours ago, for an hour.
	clock := a.h.now
	a.h.now = func() time.Time { return clock().Add(-2 * time.Hour) }
	expired := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	a.h.now = clock
	unknown, _, _ := newAPIToken()

	cases := []struct {
		name, header, code string
	}{
		{"no header", "", "missing_token"},
		{"other scheme", "Basic dXJzdWxhOnB3", "invalid_token"},
		{"no token", "Bearer", "invalid_token"},
		{"malformed", "Bearer not-a-token", "invalid_token"},
		{"bad alphabet", "Bearer " + good[:len(good)-1] + "!", "invalid_token"},
		{"unknown", "Bearer " + unknown, "invalid_token"},
		{"expired", "Bearer " + expired, "expired_token"},
		{"revoked", "Bearer " + revoked, "revoked_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, body := a.do(req)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			if ch := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer ") {
				t.Fatalf("WWW-Authenticate %q", ch)
			}
			r := decodeAPI(t, resp, body)
			if r.Error.Code != tc.code || r.Error.Message == "" || r.Username != "" {
				t.Fatalf("answer %+v, want code %s", r, tc.code)
			}
		})
	}
	if status, r := apiMe(t, a, good); status != http.StatusOK || r.Username != "ursula" {
		t.Fatalf("the good token: %d %+v", status, r)
	}
}

func TestBearerAnswersForTheTokensUser(t *testing.T) {
	a := newTestApp(t, nil)
	u, us := a.newMember("ursula", "a quiet morning walk")
	_, os := a.newMember("otto", "the river runs north")
	token := storeToken(t, a, u.ID, 30*24*time.Hour, store.ScopeWatchlistRead, store.ScopeSearch)

	status, r := apiMe(t, a, token)
	if status != http.StatusOK || r.Username != "ursula" || r.Token != token[:13]+"…" || r.Name != "test" ||
		strings.Join(r.Scopes, " ") != "search watchlist:read" {
		t.Fatalf("me: %d %+v", status, r)
	}
	if d := time.Until(r.ExpiresAt); d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Fatalf("expires_at %s", r.ExpiresAt)
	}

	// A session cookie alone is no token.
	resp, body := us.do(httptest.NewRequest(http.MethodGet, "/api/v1/me", nil))
	if resp.StatusCode != http.StatusUnauthorized || decodeAPI(t, resp, body).Error.Code != "missing_token" {
		t.Fatalf("cookie only: %d %q", resp.StatusCode, body)
	}
	// With another user's cookie, the token decides who the request is.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "bearer "+token)
	resp, body = os.do(req)
	if r := decodeAPI(t, resp, body); resp.StatusCode != http.StatusOK || r.Username != "ursula" {
		t.Fatalf("otto's cookie with ursula's token: %d %+v", resp.StatusCode, r)
	}
}

func TestBearerRefusesDisabledAndResetUsers(t *testing.T) {
	a := newTestApp(t, nil)
	u, _ := a.newMember("ursula", "a quiet morning walk")
	a.addUser("root", store.RoleAdmin, "granite tower nights", false)
	ctx := context.Background()
	// Each token is made after the change, out of reach of the revocation
	// that comes with it: the refusal stands on the account's state alone.
	if _, err := a.h.audit.Disable(ctx, u.ID, &store.Activity{Event: store.EventUserDisabled}, noDetail); err != nil {
		t.Fatal(err)
	}
	token := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	if status, r := apiMe(t, a, token); status != http.StatusUnauthorized || r.Error.Code != "invalid_token" {
		t.Fatalf("disabled user: %d %+v", status, r)
	}
	if err := a.h.audit.Enable(ctx, u.ID, &store.Activity{Event: store.EventUserEnabled}); err != nil {
		t.Fatal(err)
	}
	if status, _ := apiMe(t, a, token); status != http.StatusOK {
		t.Fatalf("enabled again: %d", status)
	}
	// An admin reset: the password is someone else's until the user
	// changes it, and their tokens do not work meanwhile.
	if _, err := a.h.audit.ResetPassword(ctx, u.ID, store.PasswordChange{Hash: u.PasswordHash, MustChangePassword: true},
		a.h.now(), &store.Activity{Event: store.EventPasswordReset}, noDetail); err != nil {
		t.Fatal(err)
	}
	token = storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	if status, _ := apiMe(t, a, token); status != http.StatusUnauthorized {
		t.Fatalf("after an admin reset: %d", status)
	}
}

func TestBearerScopesAndHIBPKey(t *testing.T) {
	a := newTestApp(t, nil)
	u, _ := a.newMember("ursula", "a quiet morning walk")
	search := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	write := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistWrite)

	// The middleware alone, on routes of a test app of its own.
	app := fiber.New()
	who := func(c *fiber.Ctx) error { return c.SendString(currentUser(c).Username + " " + currentToken(c).Name) }
	app.Get("/search", a.h.tokenAccess(userAPISearch), who)
	app.Post("/watch", a.h.tokenAccess(userWatchlistWrite), who)
	app.Get("/v3", a.h.tokenAccess(userHIBPSearch), who)
	call := func(method, path, header, token string) (*http.Response, string) {
		req := httptest.NewRequest(method, path, nil)
		if header != "" {
			req.Header.Set(header, token)
		}
		return do(t, app, req)
	}

	if resp, body := call(http.MethodGet, "/search", "Authorization", "Bearer "+search); resp.StatusCode != http.StatusOK || body != "ursula test" {
		t.Fatalf("search with search: %d %q", resp.StatusCode, body)
	}
	if resp, body := call(http.MethodPost, "/watch", "Authorization", "Bearer "+write); resp.StatusCode != http.StatusOK {
		t.Fatalf("watch with watchlist:write: %d %q", resp.StatusCode, body)
	}
	resp, body := call(http.MethodPost, "/watch", "Authorization", "Bearer "+search)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("watch with search: %d, want 403", resp.StatusCode)
	}
	if r := decodeAPI(t, resp, body); r.Error.Code != "insufficient_scope" {
		t.Fatalf("wrong scope: %+v", r)
	}
	if ch := resp.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="insufficient_scope"`) {
		t.Fatalf("WWW-Authenticate %q", ch)
	}

	if resp, body := call(http.MethodGet, "/v3", "hibp-api-key", search); resp.StatusCode != http.StatusOK || body != "ursula test" {
		t.Fatalf("hibp-api-key: %d %q", resp.StatusCode, body)
	}
	if resp, _ := call(http.MethodGet, "/v3", "hibp-api-key", write); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("hibp-api-key without the scope: %d", resp.StatusCode)
	}
	if resp, body := call(http.MethodGet, "/v3", "Authorization", "Bearer "+search); resp.StatusCode != http.StatusUnauthorized ||
		decodeAPI(t, resp, body).Error.Code != "missing_token" {
		t.Fatalf("the HIBP API with a bearer token: %d %q", resp.StatusCode, body)
	}
}

// TestBearerTouchesAtMostOnceAMinute: the last use is written on the first
// request and then only once the minute has passed.
func TestBearerTouchesAtMostOnceAMinute(t *testing.T) {
	a := newTestApp(t, nil)
	u, _ := a.newMember("ursula", "a quiet morning walk")
	token := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	lastUsed := func() time.Time {
		list, err := a.h.store.Tokens(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return list[0].LastUsedAt
	}
	start := time.Now()
	clock := start
	a.h.now = func() time.Time { return clock }
	apiMe(t, a, token)
	if got := lastUsed(); !got.Equal(start) {
		t.Fatalf("after the first use: %s, want %s", got, start)
	}
	clock = start.Add(30 * time.Second)
	apiMe(t, a, token)
	if got := lastUsed(); !got.Equal(start) {
		t.Fatalf("30 s later: %s, want it unchanged", got)
	}
	clock = start.Add(61 * time.Second)
	apiMe(t, a, token)
	if got := lastUsed(); !got.Equal(clock) {
		t.Fatalf("61 s later: %s, want %s", got, clock)
	}
}

func TestAPITokenFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		plain, digest, shown := newAPIToken()
		if !tokenPattern.MatchString(plain) || len(digest) != 32 || shown != plain[5:13] || seen[plain] {
			t.Fatalf("token %q, shown %q", plain, shown)
		}
		seen[plain] = true
		if d, ok := tokenDigest(plain); !ok || string(d) != string(digest) {
			t.Fatal("the digest of a token is not the stored one")
		}
	}
	for _, bad := range []string{"", "pcmt_", "PCMT_" + strings.Repeat("a", 52), "pcmt_" + strings.Repeat("A", 52),
		"pcmt_" + strings.Repeat("a", 51), "pcmt_" + strings.Repeat("a", 25) + "\r" + strings.Repeat("a", 26), "pcmt_" + strings.Repeat("a", 53), "xxxx_" + strings.Repeat("a", 52)} {
		if _, ok := tokenDigest(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzTokenDigest: whatever a client sends, the parser neither panics nor
// accepts anything but the one format.
func FuzzTokenDigest(f *testing.F) {
	plain, _, _ := newAPIToken()
	f.Add(plain)
	f.Add("pcmt_")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, s string) {
		if _, ok := tokenDigest(s); ok && !tokenPattern.MatchString(s) {
			t.Fatalf("%q accepted", s)
		}
	})
}

// TestAPIRoutesTakeTokens: every state-changing route under /api/ answers
// to a token and nothing else (a read may be public, as HIBP's list of
// breaches is), and token routes are API routes (or /range). The CSRF
// check may rely on it to let API requests through: they carry a token,
// not a cookie.
func TestAPIRoutesTakeTokens(t *testing.T) {
	a := newTestApp(t, nil)
	for _, r := range a.h.routes() {
		token := a.h.tokenAccess(r.access) != nil
		api := strings.HasPrefix(r.path, "/api/") || strings.HasPrefix(r.path, "/range")
		if strings.HasPrefix(r.path, "/api/") && r.method != fiber.MethodGet && !token {
			t.Errorf("%s %s changes state under /api/ but does not take a token", r.method, r.path)
		}
		if token && !api {
			t.Errorf("%s %s takes a token but is not an API route", r.method, r.path)
		}
	}
}
