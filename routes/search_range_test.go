package routes

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/breach"
	"pcmt/search"
	"pcmt/store"
	"pcmt/store/storetest"
)

// Passwords spread over every form the instance can match: the SHA-1
// corpus, the NTLM corpus, plain text in a breach (kept as SHA-1) and each
// unsalted hash type a breach file may declare.
const (
	pwCorpus     = "correct horse battery" // seedSearch's corpus, 1234 times
	pwNTLMCorpus = "ntlm corpus dweller"
	pwPlain      = "plain text leaker"
	pwSHA1Hash   = "sha1 hashed leaker"
	pwMD5        = "password"
	pwSHA256     = "sha256 hashed leaker"
	pwSHA512     = "sha512 hashed leaker"
	pwNTLM       = "ntlm hashed leaker"
	pwEverywhere = "in three places"
)

// passwordDigest is one of breach.PasswordHashes.
func passwordDigest(password string, kind store.RecordKind) []byte {
	for _, d := range breach.PasswordHashes([]byte(password)) {
		if d.Kind == kind {
			return d.Sum
		}
	}
	panic("no digest of kind " + strconv.Itoa(int(kind)))
}

// seedPasswords adds a breach of each password kind and an NTLM corpus.
func seedPasswords(t *testing.T, a *testApp) {
	t.Helper()
	st := a.h.store
	day := func(y int) time.Time { return time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC) }
	storetest.ImportRecords(t, st, store.Breach{Name: "plain", Title: "Plain leak", Date: day(2019)}, store.RecordSHA1,
		passwordDigest(pwPlain, store.RecordSHA1), passwordDigest(pwSHA1Hash, store.RecordSHA1), passwordDigest(pwEverywhere, store.RecordSHA1))
	storetest.ImportRecords(t, st, store.Breach{Name: "md5", Title: "MD5 shop", Date: day(2020), HashType: "md5"}, store.RecordMD5,
		passwordDigest(pwMD5, store.RecordMD5), passwordDigest(pwEverywhere, store.RecordMD5))
	storetest.ImportRecords(t, st, store.Breach{Name: "sha256", Title: "SHA-256 forum", HashType: "sha256"}, store.RecordSHA256,
		passwordDigest(pwSHA256, store.RecordSHA256))
	storetest.ImportRecords(t, st, store.Breach{Name: "sha512", Title: "SHA-512 wiki", Date: day(2022), HashType: "sha512"}, store.RecordSHA512,
		passwordDigest(pwSHA512, store.RecordSHA512))
	storetest.ImportRecords(t, st, store.Breach{Name: "ntlm", Title: "NTLM domain", Date: day(2023), HashType: "ntlm"}, store.RecordNTLM,
		passwordDigest(pwNTLM, store.RecordNTLM))
	ctx := context.Background()
	w, err := st.NewPwnedWriter(store.PwnedNTLM)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, passwordDigest(pwNTLMCorpus, store.RecordNTLM), 77); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// checked is a password check's answer as a user reads it.
type checked struct {
	Seen   uint64
	Titles []string
}

func (c checked) String() string { return fmt.Sprintf("seen %d, breaches %q", c.Seen, c.Titles) }

// TestPasswordChecksAgree: the check without JavaScript (the server hashes
// the password) and the script's protocol (hash prefixes to /search/range,
// the rest compared by the client) give the same answer for passwords in
// every form the instance can match. e2e.TestPasswordChecksAgree runs the
// real script; this one follows its protocol in Go.
func TestPasswordChecksAgree(t *testing.T) {
	a := newSearchApp(t, nil)
	seedSearch(t, a)
	seedPasswords(t, a)
	_, u := a.newMember("ursula", "a quiet morning walk")

	_, doc, _ := u.page("/search")
	plan, _ := doc.Find("form#search-form").Attr("data-pwcheck")
	if plan != "sha1:5 md5:0 sha256:0 sha512:0 ntlm:5" {
		t.Errorf("data-pwcheck = %q", plan)
	}

	for pw, want := range map[string]checked{
		pwCorpus:      {Seen: 1234},
		pwNTLMCorpus:  {Seen: 77},
		pwPlain:       {Titles: []string{"Plain leak"}},
		pwSHA1Hash:    {Titles: []string{"Plain leak"}},
		pwMD5:         {Seen: 9, Titles: []string{"MD5 shop"}},
		pwSHA256:      {Titles: []string{"SHA-256 forum"}},
		pwSHA512:      {Titles: []string{"SHA-512 wiki"}},
		pwNTLM:        {Titles: []string{"NTLM domain"}},
		pwEverywhere:  {Titles: []string{"MD5 shop", "Plain leak"}},
		cleanPassword: {},
	} {
		server := serverCheck(t, u, pw)
		script := scriptCheck(t, u, plan, pw)
		if server.String() != want.String() {
			t.Errorf("%q without JavaScript: %s, want %s", pw, server, want)
		}
		if script.String() != want.String() {
			t.Errorf("%q by the script's protocol: %s, want %s", pw, script, want)
		}
	}
	// The password policy knows them too.
	for _, pw := range []string{pwNTLMCorpus, pwPlain, pwMD5, pwSHA256, pwSHA512, pwNTLM} {
		if msg := a.h.accounts.Policy().Check(pw+" long enough", "", ""); msg != "" {
			t.Fatalf("policy refuses an unbreached variant: %s", msg)
		}
		if msg := a.h.accounts.Policy().Check(pw, "", ""); msg == "" {
			t.Errorf("the password policy accepts %q, which a breach holds", pw)
		}
	}
}

// serverCheck posts the search form as a browser without JavaScript does.
func serverCheck(t *testing.T, u *session, pw string) checked {
	t.Helper()
	resp, body := u.searchPanel(passwordQuery(pw))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search %q: %d", pw, resp.StatusCode)
	}
	doc := parsePanel(t, body)
	var c checked
	if text := testidText(doc, "password-count"); text != "" {
		n := strings.TrimSuffix(strings.TrimSuffix(text, " times"), " time")
		if text == "once" {
			n = "1"
		}
		c.Seen, _ = strconv.ParseUint(strings.ReplaceAll(n, "\u202f", ""), 10, 64)
	}
	doc.Find(`[data-testid="hit-title"]`).Each(func(_ int, s *goquery.Selection) {
		c.Titles = append(c.Titles, strings.TrimSpace(s.Text()))
	})
	return c
}

// scriptCheck does what static/src/pwcheck.js does, in Go.
func scriptCheck(t *testing.T, u *session, plan, pw string) checked {
	t.Helper()
	var c checked
	type hit struct {
		id    int64
		date  string
		title string
	}
	var hits []hit
	for _, part := range strings.Fields(plan) {
		name, digitsText, _ := strings.Cut(part, ":")
		digits, _ := strconv.Atoi(digitsText)
		kind, ok := store.ParsePasswordKind(name)
		if !ok {
			t.Fatalf("plan names %q", name)
		}
		full := strings.ToUpper(hex.EncodeToString(passwordDigest(pw, kind)))
		answer := askRange(t, u, name, full[:digits])
		for _, e := range answer.Entries {
			if e.Suffix != full[digits:] {
				continue
			}
			c.Seen = max(c.Seen, e.Count)
			for _, id := range e.Breaches {
				if slices.ContainsFunc(hits, func(h hit) bool { return h.id == id }) {
					continue
				}
				i := slices.IndexFunc(answer.Breaches, func(b rangeBreach) bool { return b.ID == id })
				if i < 0 {
					t.Fatalf("entry names breach %d, the answer does not hold it", id)
				}
				b := answer.Breaches[i]
				title := strings.TrimSpace(parseHTML(t, b.HTML).Find(`[data-testid="hit-title"]`).Text())
				hits = append(hits, hit{id, b.Date, title})
			}
		}
	}
	slices.SortFunc(hits, func(x, y hit) int {
		if c := strings.Compare(y.date, x.date); c != 0 {
			return c
		}
		return int(y.id - x.id)
	})
	for _, h := range hits {
		c.Titles = append(c.Titles, h.title)
	}
	return c
}

func askRange(t *testing.T, u *session, kind, prefix string) passwordRange {
	t.Helper()
	resp, body := u.do(newGet("/search/range?kind=" + kind + "&prefix=" + prefix))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /search/range %s %q: %d %s", kind, prefix, resp.StatusCode, body)
	}
	var r passwordRange
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	for _, e := range r.Entries {
		if len(e.Suffix)+len(prefix) != 2*sizeOfKind(kind) {
			t.Errorf("%s entry %q after prefix %q: wrong length", kind, e.Suffix, prefix)
		}
	}
	return r
}

func sizeOfKind(name string) int {
	k, _ := store.ParsePasswordKind(name)
	return k.Size()
}

// TestPasswordRangeRefusals: what /search/range refuses, and the prefix
// length growing with the records of a kind.
func TestPasswordRangeRefusals(t *testing.T) {
	a := newSearchApp(t, nil)
	_, u := a.newMember("ursula", "a quiet morning walk")
	for _, q := range []string{"kind=sha1&prefix=ABCD", "kind=sha1&prefix=ABCDEF", "kind=sha1&prefix=ABCDG",
		"kind=email&prefix=", "kind=&prefix=ABCDE", "prefix=ABCDE"} {
		if resp, _ := u.do(newGet("/search/range?" + q)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /search/range?%s: %d, want 400", q, resp.StatusCode)
		}
	}
	// Nothing of a kind: any prefix is answered, with nothing.
	if r := askRange(t, u, "md5", ""); len(r.Entries) != 0 || !r.HIBPOff {
		t.Errorf("md5 without records: %+v", r)
	}

	// 1,100 MD5 records: past the budget, so one digit is asked.
	var ds [][]byte
	for i := range search.PrefixBudget + 76 {
		ds = append(ds, passwordDigest("generated "+strconv.Itoa(i), store.RecordMD5))
	}
	storetest.ImportRecords(t, a.h.store, store.Breach{Name: "big", Title: "Big", HashType: "md5"}, store.RecordMD5, ds...)
	_, doc, _ := u.page("/search")
	if plan, _ := doc.Find("form#search-form").Attr("data-pwcheck"); plan != "sha1:5 md5:1" {
		t.Errorf("data-pwcheck = %q, want sha1:5 md5:1", plan)
	}
	if resp, _ := u.do(newGet("/search/range?kind=md5&prefix=")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("md5 with no digits past the budget: %d, want 400", resp.StatusCode)
	}
	r := askRange(t, u, "md5", "a")
	want := 0
	for _, d := range ds {
		if d[0]>>4 == 0xA {
			want++
		}
	}
	if len(r.Entries) != want || want == 0 {
		t.Errorf("md5 prefix A: %d entries, want %d", len(r.Entries), want)
	}
}
