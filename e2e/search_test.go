package e2e

import (
	"context"
	"crypto/sha1" //nolint:gosec // the Pwned Passwords digest
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/store"
)

// The search fixtures: an address and a password in the local data, and one
// of each that are not.
const (
	searchBreachedEmail = "victim@example.org"
	searchCleanEmail    = "untouched@example.net"
	searchBreachedPass  = "sunflower tractor 1987"
	searchCleanPass     = "glacier umbrellas whisper 42"
	searchUserPass      = "amber moths circle the lamp"
	searchPanelSel      = "#search-results"
	searchSubmit        = `#search-form button[type="submit"]`
)

// seedSearchDB makes a migrated database holding one breach with
// searchBreachedEmail and a Pwned Passwords corpus with searchBreachedPass
// (seen 4,321 times), for the app to start on.
func seedSearchDB(t *testing.T) string {
	t.Helper()
	return seedDB(t, func(_ context.Context, st *store.Store) {
		var digests [][]byte
		for _, e := range []string{searchBreachedEmail, "someone.else@example.org"} {
			d := breach.EmailDigest([]byte(e))
			digests = append(digests, d[:])
		}
		seedBreach(t, st, store.Breach{Name: "forum", Title: "Forum dump", Date: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
			IsVerified: true, ContainsEmails: true, DataClasses: []string{"Email addresses", "Passwords"}, Emails: 2},
			store.RecordEmail, digests...)
		sum := sha1.Sum([]byte(searchBreachedPass)) //nolint:gosec // the Pwned Passwords digest
		seedCorpus(t, st, store.PwnedSHA1, map[string]uint64{string(sum[:]): 4321})
	})
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s)) //nolint:gosec // the Pwned Passwords digest
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// TestSearch searches a breached and a clean password and a breached and a
// clean e-mail address, with JavaScript (the password checked in the
// browser, the account through htmx) and without (plain form posts). The
// password and its full SHA-1 must reach neither a request nor the log.
func TestSearch(t *testing.T) {
	for _, c := range []struct {
		name    string
		scripts bool
	}{{"javascript", true}, {"no-javascript", false}} {
		t.Run(c.name, func(t *testing.T) { searchFlow(t, c.scripts) })
	}
}

func searchFlow(t *testing.T, scripts bool) {
	browser := newBrowser(t)
	dbPath := seedSearchDB(t)
	mail := newSignUpMail(t)
	base, logs := startAppWith(t, mail.opts(), mail.open, func(c *config.Config) {
		c.Database.Path = dbPath
	})
	b := newTab(t, browser, base)
	if !scripts {
		b.disableScripts()
	}
	mail.signUp(t, b, "searcher", "searcher@example.org", searchUserPass)

	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`nav a[href="/search"]`))); got != http.StatusOK {
		t.Fatalf("GET /search: status %d", got)
	}
	assertText(t, b, "h1", "Search")
	assertCSRFWiring(t, b)
	assertStylesheetApplied(t, b)
	if got := run(b, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".htmx-indicator")).visibility`)); got != "hidden" {
		t.Errorf("the loading indicator is %s while nothing loads: is its style in app.css?", got)
	}
	b.assertClean()
	before := len(b.rec.sentSince(0))

	// Passwords.
	b.do(chromedp.Click(chromedp.ID("type-password")))
	if scripts {
		if got := b.attr("#q", "type"); got != "password" {
			t.Errorf("the search field is of type %q for a password, want it masked", got)
		}
	}
	searchFor(t, b, searchBreachedPass, "found")
	assertText(t, b, searchPanelSel+` [data-testid="password-count"]`, "4\u202f321 times")
	searchFor(t, b, searchCleanPass, "clean")
	assertText(t, b, searchPanelSel+` [data-testid="password-clean"] p`, "This password was not found in breach data.")
	if scripts {
		if b.count(searchPanelSel+` [data-testid="checked-locally"]`) != 1 {
			t.Error("the in-browser check does not say so")
		}
	}
	passwordRequests := b.rec.sentSince(before)
	checkPasswordRequests(t, b, passwordRequests, scripts)
	before = len(b.rec.sentSince(0))

	// Accounts.
	b.do(chromedp.Click(chromedp.ID("type-account")))
	searchFor(t, b, searchBreachedEmail, "found")
	assertText(t, b, searchPanelSel+` [data-testid="search-hit"] [data-testid="hit-title"]`, "Forum dump")
	assertText(t, b, searchPanelSel+` [data-testid="search-hit"] [data-testid="hit-source"]`, "local")
	assertText(t, b, searchPanelSel+` [data-testid="hibp-off"]`, "Have I Been Pwned is not configured: local data only.")
	searchFor(t, b, searchCleanEmail, "clean")
	assertText(t, b, searchPanelSel+` [data-testid="search-clean"]`, "Not found in 1 local breach.")
	for _, r := range b.rec.sentSince(before) {
		u, _ := url.Parse(r.url)
		if u.Path != "/search" || r.method != http.MethodPost {
			continue
		}
		if scripts && (r.kind != network.ResourceTypeFetch || r.header("HX-Request") != "true" || r.header("X-CSRF-Token") == "") {
			t.Errorf("account search: %s of type %s, HX-Request %q; want an htmx fetch with the CSRF header", r.method, r.kind, r.header("HX-Request"))
		}
		if !scripts && r.kind != network.ResourceTypeDocument {
			t.Errorf("account search without JavaScript: type %s, want a document", r.kind)
		}
	}
	b.assertClean()

	checkSearchLog(t, logs.String(), scripts)
}

// searchFor types term into the emptied search field, submits and waits
// for the result panel in state ("found" or "clean"). With JavaScript the
// page stays and the panel changes in place; without, a new page loads.
func searchFor(t *testing.T, b *tab, term, state string) {
	t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""`), chromedp.SendKeys(chromedp.ID("q"), term))
	if b.noScripts {
		if got := b.navigateBy(chromedp.Click(chromedp.CSS(searchSubmit))); got != http.StatusOK {
			t.Fatalf("search for %q: status %d", term, got)
		}
		assertLocation(t, b, "/search")
	} else {
		markPage(b)
		b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("search-results").dataset.state = "waiting"`))
		b.do(chromedp.Click(chromedp.CSS(searchSubmit)), chromedp.WaitVisible(chromedp.CSS(searchPanelSel+`[data-state="`+state+`"]`)))
		if !samePage(b) {
			t.Errorf("search for %q loaded a new page; want the panel swapped in place", term)
		}
		if got := run(b, chromedp.Evaluate[bool](`document.getElementById("search-form").classList.contains("htmx-request")`)); got {
			t.Error("the loading indicator stays on after the search")
		}
	}
	if got := b.attr(searchPanelSel, "data-state"); got != state {
		t.Errorf("search for %q: panel %q, want %q", term, got, state)
	}
	if n := b.count(searchPanelSel); n != 1 {
		t.Errorf("%d result panels on the page", n)
	}
}

var rangePath = regexp.MustCompile(`^/search/range$`)

// checkPasswordRequests checks what the two password checks sent. With
// JavaScript: exactly one GET /search/range?kind=sha1&prefix={5 hex} each
// (the instance holds no other hash kind here), with the prefix of each
// password's hash; no form post. Without: one POST /search each and no
// range request. Never the password or its hash in a URL.
func checkPasswordRequests(t *testing.T, b *tab, sent []sentRequest, scripts bool) {
	t.Helper()
	var ranges, posts []string
	for _, r := range sent {
		for _, secret := range []string{searchBreachedPass, searchCleanPass} {
			h := sha1Hex(secret)
			for _, leak := range []string{url.QueryEscape(secret), url.PathEscape(secret), h, strings.ToLower(h), h[5:], strings.ToLower(h[5:])} {
				if strings.Contains(r.url, leak) {
					t.Errorf("request %s %s holds %q", r.method, r.url, leak)
				}
			}
		}
		u, err := url.Parse(r.url)
		if err != nil {
			t.Errorf("request URL %q: %v", r.url, err)
			continue
		}
		switch {
		case rangePath.MatchString(u.Path):
			ranges = append(ranges, u.RawQuery)
			if r.method != http.MethodGet {
				t.Errorf("range request %s %s: want GET", r.method, r.url)
			}
		case u.Path == "/search" && r.method == http.MethodPost:
			posts = append(posts, r.url)
		}
	}
	if scripts {
		want := []string{"kind=sha1&prefix=" + sha1Hex(searchBreachedPass)[:5], "kind=sha1&prefix=" + sha1Hex(searchCleanPass)[:5]}
		if !slices.Equal(ranges, want) || len(posts) != 0 {
			t.Errorf("password checks with JavaScript sent ranges %q and %d POST /search; want %q and none", ranges, len(posts), want)
		}
		// Nothing else at all: the page stays, and only the script talks.
		for _, r := range sent {
			if u, _ := url.Parse(r.url); !rangePath.MatchString(u.Path) {
				t.Errorf("the password check also requested %s %s (%s)", r.method, r.url, r.kind)
			}
		}
		return
	}
	if len(ranges) != 0 || len(posts) != 2 {
		t.Errorf("password checks without JavaScript: ranges %q and %d POST /search; want none and 2", ranges, len(posts))
	}
}

// checkSearchLog looks through the app's whole log: no search term and no
// password hash (nor its suffix) may be there; range requests are logged
// by their route alone.
func checkSearchLog(t *testing.T, log string, scripts bool) {
	t.Helper()
	if !strings.Contains(log, "route=/search") {
		t.Fatalf("no search in the log at all:\n%s", log)
	}
	for _, term := range []string{searchBreachedPass, searchCleanPass, searchBreachedEmail, searchCleanEmail} {
		h := sha1Hex(term)
		for _, leak := range []string{term, url.QueryEscape(term), url.PathEscape(term), h, strings.ToLower(h), h[5:], strings.ToLower(h[5:])} {
			if strings.Contains(log, leak) {
				t.Errorf("the log holds %q (from the search for %q)", leak, term)
			}
		}
	}
	ranges := strings.Count(log, "route=/search/range ")
	if scripts && ranges != 2 {
		t.Errorf("%d range requests in the log, want 2", ranges)
	}
	if !scripts && ranges != 0 {
		t.Errorf("%d range requests in the log without scripts, want none", ranges)
	}
}
