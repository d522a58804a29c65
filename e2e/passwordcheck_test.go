package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/store"
)

// Passwords spread over every form the instance can match, each with what
// a check must say of it: its count in the corpora and the breaches that
// hold it, newest first.
var checkFixtures = []struct {
	password string
	count    string // the count's text, "" when no corpus has it
	breaches []string
}{
	{"sunflower tractor 1987", "4\u202f321 times", nil},              // SHA-1 corpus
	{"ntlm corpus dweller", "77 times", nil},                         // NTLM corpus
	{"plain text leaker", "", []string{"Plain leak"}},                // plain text in a breach: SHA-1
	{"sha1 hashed leaker", "", []string{"Plain leak"}},               // an unsalted sha1 hash
	{"md5 hashed leaker", "", []string{"MD5 shop"}},                  // md5
	{"sha256 hashed leaker", "", []string{"SHA-256 forum"}},          // sha256
	{"sha512 hashed leaker", "", []string{"SHA-512 wiki"}},           // sha512
	{"ntlm hashed leaker", "", []string{"NTLM domain"}},              // ntlm
	{"in three places", "once", []string{"NTLM domain", "MD5 shop"}}, // corpus, md5 and ntlm
	{"pâté ünïcode 密码 🔐", "", []string{"NTLM domain", "MD5 shop"}},   // UTF-8 and UTF-16 alike
	{"glacier umbrellas whisper 42", "", nil},                        // nowhere
}

// digestOf is one of breach.PasswordHashes.
func digestOf(password string, kind store.RecordKind) []byte {
	for _, d := range breach.PasswordHashes([]byte(password)) {
		if d.Kind == kind {
			return d.Sum
		}
	}
	panic(fmt.Sprintf("no digest of kind %d", kind))
}

// seedPasswordDB makes a database holding the fixtures: a SHA-1 and an
// NTLM corpus and a breach of each password kind.
func seedPasswordDB(t *testing.T) string {
	t.Helper()
	return seedDB(t, func(_ context.Context, st *store.Store) {
		day := func(y int) time.Time { return time.Date(y, 5, 1, 0, 0, 0, 0, time.UTC) }
		add := func(b store.Breach, kind store.RecordKind, passwords ...string) {
			var ds [][]byte
			for _, p := range passwords {
				ds = append(ds, digestOf(p, kind))
			}
			b.DataClasses = []string{"Passwords"}
			seedBreach(t, st, b, kind, ds...)
		}
		add(store.Breach{Name: "plain", Title: "Plain leak", Date: day(2019), ContainsPasswords: true}, store.RecordSHA1,
			"plain text leaker", "sha1 hashed leaker")
		add(store.Breach{Name: "md5", Title: "MD5 shop", Date: day(2020), HashType: "md5"}, store.RecordMD5,
			"md5 hashed leaker", "in three places", "pâté ünïcode 密码 🔐")
		add(store.Breach{Name: "sha256", Title: "SHA-256 forum", HashType: "sha256"}, store.RecordSHA256, "sha256 hashed leaker")
		add(store.Breach{Name: "sha512", Title: "SHA-512 wiki", Date: day(2021), HashType: "sha512"}, store.RecordSHA512, "sha512 hashed leaker")
		add(store.Breach{Name: "ntlm", Title: "NTLM domain", Date: day(2023), HashType: "ntlm"}, store.RecordNTLM,
			"ntlm hashed leaker", "in three places", "pâté ünïcode 密码 🔐")
		seedCorpus(t, st, store.PwnedSHA1, map[string]uint64{
			string(digestOf("sunflower tractor 1987", store.RecordSHA1)): 4321,
			string(digestOf("in three places", store.RecordSHA1)):        1,
		})
		seedCorpus(t, st, store.PwnedNTLM, map[string]uint64{string(digestOf("ntlm corpus dweller", store.RecordNTLM)): 77})
	})
}

// TestPasswordChecksAgree checks each fixture password in Chromium with
// JavaScript (the password-check script hashes it and sends prefixes) and
// without (the server hashes it): both must give the expected answer. With
// JavaScript, no request may hold the password or any of its full hashes,
// and every prefix sent is as long as the page's plan says.
func TestPasswordChecksAgree(t *testing.T) {
	browser := newBrowser(t)
	answers := map[bool][]string{}
	for _, scripts := range []bool{true, false} {
		b := openPasswordSearch(t, browser, scripts)
		before := len(b.rec.sentSince(0))
		for _, f := range checkFixtures {
			state := "clean"
			if f.count != "" || len(f.breaches) > 0 {
				state = "found"
			}
			searchFor(t, b, f.password, state)
			got := fmt.Sprintf("count %q, breaches %q", b.textOr(searchPanelSel+` [data-testid="password-count"]`), b.texts(searchPanelSel+` [data-testid="hit-title"]`))
			if want := fmt.Sprintf("count %q, breaches %q", f.count, f.breaches); got != want {
				t.Errorf("%q (JavaScript %v): %s, want %s", f.password, scripts, got, want)
			}
			answers[scripts] = append(answers[scripts], got)
		}
		if scripts {
			checkPrefixesOnly(t, b, b.rec.sentSince(before))
		}
		b.assertClean()
	}
	if !slices.Equal(answers[true], answers[false]) {
		t.Errorf("the checks disagree:\n with JavaScript %q\n without         %q", answers[true], answers[false])
	}
}

func openPasswordSearch(t *testing.T, browser context.Context, scripts bool) *tab {
	t.Helper()
	dbPath := seedPasswordDB(t)
	mail := newSignUpMail(t)
	base, _ := startAppWith(t, mail.opts(), mail.open, func(c *config.Config) {
		c.Database.Path = dbPath
	})
	b := newTab(t, browser, base)
	if !scripts {
		b.disableScripts()
	}
	mail.signUp(t, b, "searcher", "searcher@example.org", searchUserPass)
	b.open("/search")
	if got := b.attr("#search-form", "data-pwcheck"); got != "sha1:5 md5:0 sha256:0 sha512:0 ntlm:5" {
		t.Errorf("data-pwcheck = %q", got)
	}
	b.do(chromedp.Click(chromedp.ID("type-password")))
	return b
}

// checkPrefixesOnly: the script's requests hold no password and no full
// hash of one, in any kind, and each prefix has the plan's length.
func checkPrefixesOnly(t *testing.T, b *tab, sent []sentRequest) {
	t.Helper()
	digits := map[string]int{"sha1": 5, "md5": 0, "sha256": 0, "sha512": 0, "ntlm": 5}
	asked := map[string]int{}
	for _, r := range sent {
		u, err := url.Parse(r.url)
		if err != nil || u.Path != "/search/range" {
			t.Errorf("the password check requested %s %s", r.method, r.url)
			continue
		}
		kind, prefix := u.Query().Get("kind"), u.Query().Get("prefix")
		asked[kind]++
		if want, ok := digits[kind]; !ok || len(prefix) != want {
			t.Errorf("asked %s with prefix %q, want %d digits", kind, prefix, want)
		}
		for _, f := range checkFixtures {
			leaks := []string{f.password, url.QueryEscape(f.password), url.PathEscape(f.password)}
			for _, d := range breach.PasswordHashes([]byte(f.password)) {
				h := strings.ToUpper(hex.EncodeToString(d.Sum))
				leaks = append(leaks, h[:6], strings.ToLower(h[:6]), h[len(h)-8:], strings.ToLower(h[len(h)-8:]))
			}
			for _, leak := range leaks {
				if strings.Contains(r.url, leak) {
					t.Errorf("request %s holds %q, more than a prefix of %q", r.url, leak, f.password)
				}
			}
		}
	}
	for kind := range digits {
		if asked[kind] != len(checkFixtures) {
			t.Errorf("%s asked %d times for %d passwords", kind, asked[kind], len(checkFixtures))
		}
	}
}

// texts returns the trimmed text of every element sel matches now.
func (b *tab) texts(sel string) []string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+jsString(sel)+`), e => e.textContent.trim())`))
}

// textOr returns the trimmed text of the first element sel matches now, ""
// when none does.
func (b *tab) textOr(sel string) string {
	b.t.Helper()
	if all := b.texts(sel); len(all) > 0 {
		return all[0]
	}
	return ""
}
