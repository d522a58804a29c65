package routes

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/hibp"
	"pcmt/store"
)

// newCachedSearchApp is the test app with an HIBP client of fake that
// caches its answers in the app's database, as the server's does.
func newCachedSearchApp(t *testing.T, fake *fakeHIBP) *testApp {
	t.Helper()
	d, logs := testDeps(t, nil)
	c, err := hibp.New(hibp.Options{APIKey: "test-key", BaseURL: fake.URL(), PasswordsURL: fake.URL(),
		MinInterval: time.Millisecond, MaxRetryWait: time.Second,
		Store: d.Store, CacheTTL: time.Hour, CacheKey: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	d.HIBP = c
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, app: app, h: h, log: logs, deps: d}
}

// One user's search never answers another's from the cache: otherwise
// the second user would learn, from the content or from an answer that
// skips the wait for HIBP, what the first one searched. The cache still
// serves each user their own repeated searches.
func TestHIBPCacheIsPerUser(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newCachedSearchApp(t, fake)
	seedSearch(t, a)
	_, ann := a.newMember("ann", "a quiet morning walk")
	bob, bobWeb := a.newMember("bob", "an evening by the sea")
	carol, _ := a.newMember("carol", "a long winter night")

	hibpHits := func(s *session, q string) int {
		t.Helper()
		_, body := s.searchPanel(accountQuery(q))
		doc := parsePanel(t, body)
		n := 0
		doc.Find(`[data-testid="hit-source"]`).Each(func(_ int, s *goquery.Selection) {
			if strings.TrimSpace(s.Text()) == "Have I Been Pwned" {
				n++
			}
		})
		return n
	}
	if hibpHits(ann, hibpEmail) != 1 || fake.Lookups() != 1 {
		t.Fatalf("ann's search: HIBP asked %d times", fake.Lookups())
	}
	if hibpHits(ann, hibpEmail) != 1 || fake.Lookups() != 1 {
		t.Fatalf("ann's second search was not served from her cache: HIBP asked %d times", fake.Lookups())
	}
	if hibpHits(bobWeb, strings.ToUpper(hibpEmail)) != 1 || fake.Lookups() != 2 {
		t.Fatalf("bob's search of what ann searched did not reach HIBP (asked %d times)", fake.Lookups())
	}
	// Not found is cached per user too: a 404 is as telling as a hit.
	hibpHits(ann, cleanEmail)
	hibpHits(bobWeb, cleanEmail)
	if fake.Lookups() != 4 {
		t.Fatalf("a cached 404 crossed users: HIBP asked %d times", fake.Lookups())
	}

	// The API's search shares the user's cache, and only theirs.
	apiHIBP := func(token, q string) string {
		t.Helper()
		resp, body := apiSend(t, a, http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q), token, "")
		var r apiSearchResult
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
			t.Fatalf("api search: %d %s", resp.StatusCode, body)
		}
		for _, b := range r.Breaches {
			if b.Source == "hibp" {
				return r.HIBP + " " + b.Title
			}
		}
		return r.HIBP
	}
	if got := apiHIBP(storeToken(t, a, bob.ID, time.Hour, store.ScopeSearch), hibpEmail); got != "asked Adobe" || fake.Lookups() != 4 {
		t.Fatalf("bob's API search: %q, HIBP asked %d times", got, fake.Lookups())
	}
	if got := apiHIBP(storeToken(t, a, carol.ID, time.Hour, store.ScopeSearch), hibpEmail); got != "asked Adobe" || fake.Lookups() != 5 {
		t.Fatalf("carol's API search of what others searched: %q, HIBP asked %d times", got, fake.Lookups())
	}
}
