package routes

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibpfake"
	"pcmt/store"
	"pcmt/store/storetest"
)

// Search fixtures: an address and a password that are in the local data,
// and one of each that are not.
const (
	breachedEmail    = "Alice@Example.org" // stored normalised: alice@example.org
	cleanEmail       = "nobody@example.net"
	breachedUsername = "alice_77"
	breachedPassword = "correct horse battery"
	cleanPassword    = "unguessable violet kettle 9"
	hibpEmail        = "hibp-only@example.com"
)

// newSearchApp is the test app with an HIBP client, nil for none.
func newSearchApp(t *testing.T, client *hibp.Client) *testApp {
	t.Helper()
	d, logs := testDeps(t, nil)
	d.HIBP = client
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, app: app, h: h, log: logs, deps: d}
}

func emailDigest(e string) []byte    { d := breach.EmailDigest([]byte(e)); return d[:] }
func usernameDigest(u string) []byte { d := breach.UsernameDigest([]byte(u)); return d[:] }

// seedSearch gives the app one e-mail breach, one username breach and a
// corpus; it returns the e-mail breach's id.
func seedSearch(t *testing.T, a *testApp) int64 {
	t.Helper()
	id := storetest.ImportRecords(t, a.h.store, store.Breach{Name: "forum", Title: "Forum dump",
		Date: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), IsVerified: true,
		DataClasses: []string{"Email addresses", "Passwords"}}, store.RecordEmail, emailDigest(breachedEmail), emailDigest("bob@example.org"))
	storetest.ImportRecords(t, a.h.store, store.Breach{Name: "game", Title: "Game site"}, store.RecordUsername, usernameDigest(breachedUsername))
	storetest.WriteCorpus(t, a.h.store, map[string]uint64{breachedPassword: 1234, "password": 9})
	return id
}

// searchPanel posts the search form as htmx does: the token in the
// X-CSRF-Token header, HX-Request set.
func (s *session) searchPanel(form url.Values) (*http.Response, string) {
	s.app.t.Helper()
	_, _, token := s.page("/search")
	req := httptest.NewRequest(http.MethodPost, "/search", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	return s.do(req)
}

func accountQuery(q string) url.Values  { return url.Values{"q": {q}, "type": {"account"}} }
func passwordQuery(q string) url.Values { return url.Values{"q": {q}, "type": {"password"}} }

// parsePanel parses a search page or panel without the templates of the
// password-check script, whose markup would match the panel's selectors.
func parsePanel(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc := parseHTML(t, body)
	doc.Find("template").Remove()
	return doc
}

func testidText(doc *goquery.Document, id string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + id + `"]`).First().Text())
}

func TestSearchPageAndPanel(t *testing.T) {
	a := newSearchApp(t, nil)
	id := seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")

	status, doc, _ := u.page("/search")
	if status != http.StatusOK || doc.Find(`form#search-form[method="post"][action="/search"][hx-post="/search"] input[name="q"]`).Length() != 1 {
		t.Fatalf("GET /search: %d, form found %d times", status, doc.Find("form#search-form").Length())
	}
	if doc.Find(`#search-results[data-state="empty"]`).Length() != 1 {
		t.Error("the empty page has no empty result panel")
	}
	if src, _ := doc.Find(`script[src*="pwcheck"]`).Attr("src"); !strings.HasPrefix(src, "/static/pwcheck.") || src == "/static/pwcheck.js" {
		t.Errorf("password-check script at %q, want its hashed URL", src)
	}
	if doc.Find(`nav a[href="/search"]`).Length() != 1 {
		t.Error("no Search link in the navigation")
	}

	// Without JavaScript: a GET with the term gives the whole page.
	resp, body := u.do(newGet("/search?type=account&q=" + url.QueryEscape(breachedEmail)))
	doc = parsePanel(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find("nav").Length() != 1 {
		t.Fatalf("GET /search?q=: %d, want the whole page", resp.StatusCode)
	}
	if v, _ := doc.Find(`input[name="q"]`).Attr("value"); v != breachedEmail {
		t.Errorf("the form shows %q, want the term searched", v)
	}
	checkForumHit(t, doc, id)

	// The form posted without htmx gives the whole page too.
	resp, body = u.post("/search", "/search", accountQuery(breachedEmail))
	if doc = parsePanel(t, body); resp.StatusCode != http.StatusOK || doc.Find("nav").Length() != 1 {
		t.Fatalf("POST /search without htmx: %d, want the whole page", resp.StatusCode)
	}
	checkForumHit(t, doc, id)

	// Under htmx only the panel comes back.
	resp, body = u.searchPanel(accountQuery(breachedEmail))
	doc = parsePanel(t, body)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || doc.Find("nav, form").Length() != 0 {
		t.Fatalf("htmx search: %d, want the panel alone:\n%s", resp.StatusCode, body)
	}
	if doc.Find(`body > #search-results[data-state="found"]`).Length() != 1 {
		t.Fatalf("htmx search: no found panel:\n%s", body)
	}
	checkForumHit(t, doc, id)

	// A username, told from an address by having no @.
	_, body = u.searchPanel(accountQuery(breachedUsername))
	doc = parsePanel(t, body)
	if got := testidText(doc, "hit-title"); got != "Game site" {
		t.Errorf("username search: hit %q, want Game site", got)
	}
	if got := testidText(doc, "search-total"); got != "This username is in 1 breach." {
		t.Errorf("username search: %q", got)
	}

	// A clean address.
	_, body = u.searchPanel(accountQuery(cleanEmail))
	doc = parsePanel(t, body)
	if got := testidText(doc, "search-clean"); got != "Not found in 2 local breaches." {
		t.Errorf("clean search: %q", got)
	}
	if got := testidText(doc, "hibp-off"); got != "Have I Been Pwned is not configured: local data only." {
		t.Errorf("without HIBP: %q", got)
	}
	if doc.Find(`[data-testid="search-hit"]`).Length() != 0 {
		t.Error("a clean search lists hits")
	}

	// An empty term is refused beside the field, under htmx as without.
	resp, body = u.searchPanel(accountQuery("  "))
	if resp.StatusCode != http.StatusUnprocessableEntity || testidText(parsePanel(t, body), "search-error") != errSearchEmpty {
		t.Errorf("empty search: %d %s", resp.StatusCode, body)
	}
	resp, body = u.do(newGet("/search?q=x&type=other"))
	if resp.StatusCode != http.StatusUnprocessableEntity || testidText(parsePanel(t, body), "search-error") != errSearchType {
		t.Errorf("unknown type: %d", resp.StatusCode)
	}
}

func checkForumHit(t *testing.T, doc *goquery.Document, id int64) {
	t.Helper()
	hits := doc.Find(`[data-testid="search-hit"]`)
	if hits.Length() != 1 {
		t.Fatalf("%d hits, want 1", hits.Length())
	}
	if href, _ := hits.Find(`[data-testid="hit-title"] a`).Attr("href"); href != breachPath(id) {
		t.Errorf("hit links to %q, want %s", href, breachPath(id))
	}
	for testid, want := range map[string]string{
		"hit-title": "Forum dump", "hit-date": "1 Jun 2021", "hit-source": "local", "breach-verified": "verified",
	} {
		if got := strings.TrimSpace(hits.Find(`[data-testid="` + testid + `"]`).Text()); got != want {
			t.Errorf("%s: %q, want %q", testid, got, want)
		}
	}
	if got := hits.Find(`[data-testid="breach-classes"] li`).Length(); got != 2 {
		t.Errorf("%d data classes, want 2", got)
	}
	if got := testidText(doc, "search-total"); got != "This e-mail address is in 1 breach." {
		t.Errorf("total: %q", got)
	}
}

// fakeHIBP is the local Have I Been Pwned of the search tests: it knows
// two of the fixtures' addresses and the clean password, seen 7 times.
type fakeHIBP = hibpfake.API

func newFakeHIBP(t *testing.T) *fakeHIBP {
	t.Helper()
	return hibpfake.New(t, []string{hibpEmail, breachedEmail}, map[string]uint64{cleanPassword: 7})
}

func TestSearchAsksHIBP(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newSearchApp(t, fake.Client(t, "test-key"))
	id := seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")

	_, body := u.searchPanel(accountQuery(breachedEmail))
	doc := parsePanel(t, body)
	hits := doc.Find(`[data-testid="search-hit"]`)
	if hits.Length() != 2 {
		t.Fatalf("%d hits, want the local one and HIBP's:\n%s", hits.Length(), body)
	}
	if href, _ := hits.Eq(0).Find("a").Attr("href"); href != breachPath(id) {
		t.Errorf("local hit links to %q", href)
	}
	hit := hits.Eq(1)
	for testid, want := range map[string]string{
		"hit-title": "Adobe", "hit-date": "4 Oct 2013", "hit-source": "Have I Been Pwned", "breach-verified": "verified",
	} {
		if got := strings.TrimSpace(hit.Find(`[data-testid="` + testid + `"]`).Text()); got != want {
			t.Errorf("HIBP hit %s: %q, want %q", testid, got, want)
		}
	}
	if hit.Find("a").Length() != 0 {
		t.Error("an HIBP hit links to a local page")
	}
	if doc.Find(`[data-testid="hibp-off"]`).Length() != 0 {
		t.Error("HIBP is configured, yet the panel says it is not")
	}

	_, body = u.searchPanel(accountQuery(hibpEmail))
	if got := testidText(parsePanel(t, body), "hit-source"); got != "Have I Been Pwned" {
		t.Errorf("HIBP-only account: source %q", got)
	}

	_, body = u.searchPanel(accountQuery(cleanEmail))
	if got := testidText(parsePanel(t, body), "search-clean"); got != "Not found in 2 local breaches or Have I Been Pwned." {
		t.Errorf("clean search: %q", got)
	}

	if asked, keys := fake.Asked(); len(asked) != 3 || !strings.EqualFold(asked[0], breachedEmail) || keys[0] != "test-key" {
		t.Errorf("HIBP was asked for %q with keys %q", asked, keys)
	}
}

func TestSearchWithoutHIBPKeyStaysLocal(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newSearchApp(t, fake.Client(t, ""))
	seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")
	_, body := u.searchPanel(accountQuery(cleanEmail))
	doc := parsePanel(t, body)
	if testidText(doc, "hibp-off") == "" || testidText(doc, "search-clean") != "Not found in 2 local breaches." {
		t.Errorf("without a key: %s", body)
	}
	if asked, _ := fake.Asked(); len(asked) != 0 {
		t.Errorf("HIBP was asked without a key: %q", asked)
	}
}

func TestSearchSurvivesHIBPFailures(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newSearchApp(t, fake.Client(t, "test-key"))
	id := seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")

	for _, c := range []struct {
		status int
		notice string
	}{
		{http.StatusInternalServerError, noticeHIBPFailed},
		{http.StatusServiceUnavailable, noticeHIBPFailed},
		{http.StatusUnauthorized, noticeHIBPFailed},
		// Last: the client then pauses for the hour HIBP asked.
		{http.StatusTooManyRequests, noticeHIBPBusy},
	} {
		fake.Fail(c.status)
		resp, body := u.searchPanel(accountQuery(breachedEmail))
		doc := parsePanel(t, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("HIBP %d: status %d, want 200", c.status, resp.StatusCode)
		}
		if got := testidText(doc, "search-notice"); got != c.notice {
			t.Errorf("HIBP %d: notice %q, want %q", c.status, got, c.notice)
		}
		if href, _ := doc.Find(`[data-testid="search-hit"] a`).Attr("href"); doc.Find(`[data-testid="search-hit"]`).Length() != 1 || href != breachPath(id) {
			t.Errorf("HIBP %d: want the local hit alone:\n%s", c.status, body)
		}
		// A clean search does not claim HIBP was asked.
		_, body = u.searchPanel(accountQuery(cleanEmail))
		if got := testidText(parsePanel(t, body), "search-clean"); got != "Not found in 2 local breaches." {
			t.Errorf("HIBP %d, clean search: %q", c.status, got)
		}
	}

	// Nobody listening at all.
	fake = newFakeHIBP(t)
	a = newSearchApp(t, fake.Client(t, "test-key"))
	seedSearch(t, a)
	_, u = a.newMember("ursula", "a quiet morning walk")
	fake.Close()
	resp, body := u.searchPanel(accountQuery(breachedEmail))
	if resp.StatusCode != http.StatusOK || testidText(parsePanel(t, body), "search-notice") != noticeHIBPFailed {
		t.Errorf("HIBP down: %d %s", resp.StatusCode, body)
	}
	resp, body = u.searchPanel(passwordQuery(breachedPassword))
	if resp.StatusCode != http.StatusOK || testidText(parsePanel(t, body), "password-count") != "1\u202f234 times" {
		t.Errorf("HIBP down, password: %d %s", resp.StatusCode, body)
	}
}

// TestPasswordCheckWithoutJavaScript: the form posts the password, the
// server hashes it and answers from the corpus; it never echoes it.
func TestPasswordCheckWithoutJavaScript(t *testing.T) {
	a := newSearchApp(t, nil)
	seedSearch(t, a)
	pwBreach := storetest.ImportRecords(t, a.h.store, store.Breach{Name: "plain", Title: "Plain-text leak"}, store.RecordSHA1,
		sha1Of("only in a breach"))
	_, u := a.newMember("ursula", "a quiet morning walk")

	resp, body := u.post("/search", "/search", passwordQuery(breachedPassword))
	doc := parsePanel(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find("nav").Length() != 1 {
		t.Fatalf("password check: %d, want the whole page", resp.StatusCode)
	}
	if got := testidText(doc, "password-count"); got != "1\u202f234 times" {
		t.Errorf("found: %q, want 1 234 times", got)
	}
	if strings.Contains(body, breachedPassword) {
		t.Error("the page shows the password")
	}
	if v, _ := doc.Find(`input[name="q"]`).Attr("value"); v != "" {
		t.Errorf("the form keeps the password: %q", v)
	}
	if _, ok := doc.Find(`#type-password`).Attr("checked"); !ok {
		t.Error("the password toggle is not kept")
	}

	resp, body = u.searchPanel(passwordQuery(cleanPassword))
	doc = parsePanel(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find(`[data-testid="password-clean"]`).Length() != 1 || doc.Find(`[data-testid="password-found"]`).Length() != 0 {
		t.Errorf("clean password: %d %s", resp.StatusCode, body)
	}

	// A password only in a breach's records is found there.
	_, body = u.searchPanel(passwordQuery("only in a breach"))
	doc = parsePanel(t, body)
	if href, _ := doc.Find(`[data-testid="search-hit"] a`).Attr("href"); href != breachPath(pwBreach) || doc.Find(`[data-testid="password-clean"]`).Length() != 0 {
		t.Errorf("password in a breach: %s", body)
	}

	// Never through a URL: refused without looking anything up.
	resp, body = u.do(newGet("/search?type=password&q=" + url.QueryEscape(breachedPassword)))
	doc = parsePanel(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || testidText(doc, "search-error") != errSearchPasswordURL ||
		doc.Find(`[data-testid="password-found"]`).Length() != 0 || strings.Contains(body, breachedPassword) {
		t.Errorf("password in a URL: %d %s", resp.StatusCode, body)
	}
}

func TestPasswordCheckAsksHIBPRange(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newSearchApp(t, fake.Client(t, ""))
	seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")
	// Not in the local corpus, 7 times in the fake HIBP's.
	_, body := u.searchPanel(passwordQuery(cleanPassword))
	if got := testidText(parsePanel(t, body), "password-count"); got != "7 times" {
		t.Errorf("HIBP count: %q, want 7 times\n%s", got, body)
	}
	fake.Fail(http.StatusInternalServerError)
	_, body = u.searchPanel(passwordQuery(breachedPassword))
	doc := parsePanel(t, body)
	if testidText(doc, "password-count") != "1\u202f234 times" || testidText(doc, "search-notice") != noticeHIBPFailed {
		t.Errorf("HIBP failing: %s", body)
	}
}

// TestSearchTermsNeverLogged runs every kind of search, HIBP failing
// included, and looks for the terms and their digests in the log.
func TestSearchTermsNeverLogged(t *testing.T) {
	fake := newFakeHIBP(t)
	a := newSearchApp(t, fake.Client(t, "test-key"))
	seedSearch(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")

	u.do(newGet("/search?type=account&q=" + url.QueryEscape(breachedEmail)))
	u.do(newGet("/search?q=" + url.QueryEscape(breachedUsername)))
	u.post("/search", "/search", accountQuery(cleanEmail))
	u.post("/search", "/search", passwordQuery(breachedPassword))
	u.searchPanel(passwordQuery(cleanPassword))
	u.do(newGet("/search?type=password&q=" + url.QueryEscape(cleanPassword)))
	fake.Fail(http.StatusInternalServerError)
	u.searchPanel(accountQuery(hibpEmail))
	u.searchPanel(passwordQuery(breachedPassword))

	log := a.log.String()
	if !strings.Contains(log, "route=/search") || !strings.Contains(log, "hibp lookup failed") {
		t.Fatalf("the searches were not logged at all:\n%s", log)
	}
	for _, term := range []string{breachedEmail, cleanEmail, breachedUsername, hibpEmail, breachedPassword, cleanPassword} {
		leaks := []string{term, strings.ToLower(term), url.QueryEscape(term), strings.ReplaceAll(term, " ", "+")}
		for _, d := range [][]byte{sha1Of(term), emailDigest(term)} {
			leaks = append(leaks, hex.EncodeToString(d), strings.ToUpper(hex.EncodeToString(d)))
		}
		for _, leak := range leaks {
			if strings.Contains(log, leak) {
				t.Errorf("the log holds %q (from the search for %q)", leak, term)
			}
		}
	}
}
