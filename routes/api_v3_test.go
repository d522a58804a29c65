package routes

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/store"
)

// v3Breaches imports two breaches holding ann@example.org (one verified,
// of example.com) and one holding only bob.
func v3Breaches(t *testing.T, a *testApp) {
	t.Helper()
	ann := breach.EmailDigest([]byte("ann@example.org"))
	bob := breach.EmailDigest([]byte("bob@example.org"))
	both := [][]byte{ann[:], bob[:]}
	slices.SortFunc(both, func(x, y []byte) int { return slices.Compare(x, y) })
	_, err := a.h.store.ImportBreaches(context.Background(), []store.NewBreach{
		{Breach: store.Breach{Name: "Forum", Title: "The Forum", Domain: "example.com", IsVerified: true,
			Date: time.Date(2021, 5, 6, 0, 0, 0, 0, time.UTC), Emails: 2, DataClasses: []string{"Email addresses", "Passwords"}},
			Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, both)}},
		{Breach: store.Breach{Name: "Scrape", Emails: 1, DataClasses: []string{"Email addresses", "Names"}},
			Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, [][]byte{ann[:]})}},
	}, store.ImportOptions{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
}

func v3Get(t *testing.T, a *testApp, path, key string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if key != "" {
		req.Header.Set("hibp-api-key", key)
	}
	return a.do(req)
}

func TestHIBPv3BreachedAccount(t *testing.T) {
	a := newTestApp(t, nil)
	v3Breaches(t, a)
	u := a.addUser("carol", store.RoleUser, "a long passphrase", false)
	key := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)

	resp, body := v3Get(t, a, "/api/v3/breachedaccount/Ann@Example.org", key)
	var names []map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &names) != nil || len(names) != 2 || len(names[0]) != 1 {
		t.Fatalf("truncated: %d %s", resp.StatusCode, body)
	}
	resp, body = v3Get(t, a, "/api/v3/breachedaccount/ann%40example.org?truncateResponse=false", key)
	var full []wireBreach
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &full) != nil || len(full) != 2 {
		t.Fatalf("full: %d %s", resp.StatusCode, body)
	}
	forum := full[0]
	if forum.Name != "Forum" || forum.BreachDate != "2021-05-06" || forum.AddedDate != "2026-01-02T03:04:05Z" ||
		forum.PwnCount != 2 || !forum.IsVerified || !slices.Equal(forum.DataClasses, []string{"Email addresses", "Passwords"}) {
		t.Fatalf("breach fields: %+v", forum)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"?includeUnverified=false", 1},
		{"?domain=example.com", 1},
		{"?domain=example.net", 0},
	} {
		resp, body := v3Get(t, a, "/api/v3/breachedaccount/ann@example.org"+tc.query, key)
		if tc.want == 0 {
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: %d %s", tc.query, resp.StatusCode, body)
			}
			continue
		}
		var got []hibpName
		if json.Unmarshal([]byte(body), &got) != nil || len(got) != tc.want || got[0].Name != "Forum" {
			t.Fatalf("%s: %s", tc.query, body)
		}
	}
	if resp, body := v3Get(t, a, "/api/v3/breachedaccount/nobody@example.org", key); resp.StatusCode != http.StatusNotFound || body != "" {
		t.Fatalf("unknown account: %d %q", resp.StatusCode, body)
	}
}

func TestHIBPv3Refusals(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) { c.API.TokenRateLimit = 3 })
	v3Breaches(t, a)
	u := a.addUser("carol", store.RoleUser, "a long passphrase", false)
	adm := a.addUser("root", store.RoleAdmin, "another long passphrase", false)
	search := storeToken(t, a, u.ID, time.Hour, store.ScopeSearch)
	watch := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistRead)
	admin := storeToken(t, a, adm.ID, time.Hour, store.ScopeSearch)

	check := func(path, key string, status int) map[string]any {
		t.Helper()
		resp, body := v3Get(t, a, path, key)
		var e map[string]any
		if resp.StatusCode != status || json.Unmarshal([]byte(body), &e) != nil || e["statusCode"] != float64(status) || e["message"] == "" {
			t.Fatalf("%s: %d %s, want %d in HIBP's error shape", path, resp.StatusCode, body, status)
		}
		return e
	}
	check("/api/v3/breachedaccount/ann@example.org", "", http.StatusUnauthorized)
	check("/api/v3/breachedaccount/ann@example.org", "not-a-token", http.StatusUnauthorized)
	check("/api/v3/breachedaccount/ann@example.org", watch, http.StatusForbidden)
	check("/api/v3/breachedaccount/ann@example.org", admin, http.StatusForbidden)
	// A bearer header is not where HIBP clients put their key.
	req := httptest.NewRequest(http.MethodGet, "/api/v3/breaches", nil)
	req.Header.Set("Authorization", "Bearer "+search)
	if resp, _ := a.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bearer on v3: %d", resp.StatusCode)
	}

	// The token's rate: 3 a minute here, then 429 with retry-after.
	for i := range 3 {
		if resp, body := v3Get(t, a, "/api/v3/breaches", search); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, _ := v3Get(t, a, "/api/v3/breaches", search)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the rate: %d", resp.StatusCode)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("retry-after %q", resp.Header.Get("Retry-After"))
	}
	// Another token has its own budget.
	if resp, _ := v3Get(t, a, "/api/v3/breaches", watch); resp.StatusCode != http.StatusOK {
		t.Fatalf("another token: %d", resp.StatusCode)
	}
}

func TestHIBPv3BreachesAndDataClasses(t *testing.T) {
	a := newTestApp(t, nil)
	v3Breaches(t, a)
	u := a.addUser("carol", store.RoleUser, "a long passphrase", false)
	key := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistRead) // any scope lists breaches

	var all []wireBreach
	if _, body := v3Get(t, a, "/api/v3/breaches", key); json.Unmarshal([]byte(body), &all) != nil || len(all) != 2 {
		t.Fatalf("breaches: %s", body)
	}
	var dom []wireBreach
	if _, body := v3Get(t, a, "/api/v3/breaches?domain=example.com", key); json.Unmarshal([]byte(body), &dom) != nil || len(dom) != 1 || dom[0].Name != "Forum" {
		t.Fatalf("by domain: %s", body)
	}
	var one wireBreach
	resp, body := v3Get(t, a, "/api/v3/breach/forum", key)
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &one) != nil || one.Title != "The Forum" {
		t.Fatalf("breach: %d %s", resp.StatusCode, body)
	}
	// Every field of HIBP's breach model, in HIBP's order.
	at := -1
	for _, k := range wireFields {
		i := strings.Index(body, `"`+k+`":`)
		if i <= at {
			t.Fatalf("field %s missing or out of HIBP's order: %s", k, body)
		}
		at = i
	}
	if resp, _ := v3Get(t, a, "/api/v3/breach/nope", key); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing breach: %d", resp.StatusCode)
	}
	var classes []string
	if _, body := v3Get(t, a, "/api/v3/dataclasses", key); json.Unmarshal([]byte(body), &classes) != nil ||
		!slices.Equal(classes, []string{"Email addresses", "Names", "Passwords"}) {
		t.Fatalf("data classes: %s", body)
	}
}

// wireBreach is a breach as HIBP's clients read it, dates as written.
type wireBreach struct {
	Name, Title, Domain                 string
	BreachDate, AddedDate, ModifiedDate string
	PwnCount                            int64
	Description, LogoPath               string
	DataClasses                         []string
	IsVerified, IsFabricated, IsSensitive, IsRetired, IsSpamList,
	IsMalware, IsSubscriptionFree, IsStealerLog bool
}

// wireFields are the fields of HIBP's breach model in its order.
var wireFields = []string{"Name", "Title", "Domain", "BreachDate", "AddedDate", "ModifiedDate", "PwnCount",
	"Description", "LogoPath", "DataClasses", "IsVerified", "IsFabricated", "IsSensitive", "IsRetired",
	"IsSpamList", "IsMalware", "IsSubscriptionFree", "IsStealerLog"}

func FuzzAccount(f *testing.F) {
	for _, s := range []string{"ann@example.org", "ann%40example.org", "%zz", "", " ", "a\x00b", "%0A", strings.Repeat("a", 321), "ünïcode"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		account, ok := parseAccount(raw)
		if !ok {
			return
		}
		if account == "" || len(account) > 320 || !utf8.ValidString(account) || strings.ContainsFunc(account, unicode.IsControl) ||
			strings.TrimSpace(account) != account {
			t.Fatalf("%q accepted as %q", raw, account)
		}
		// What is looked up does not depend on surrounding spaces, and an
		// @ decides between an e-mail address and a username.
		k1, d1 := breach.AccountDigest(account)
		k2, d2 := breach.AccountDigest("  " + account + "\t")
		if k1 != k2 || !bytes.Equal(d1, d2) {
			t.Fatalf("%q: digest depends on spaces", account)
		}
		if (k1 == store.RecordEmail) != strings.Contains(account, "@") {
			t.Fatalf("%q looked up as kind %d", account, k1)
		}
	})
}
