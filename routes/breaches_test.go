package routes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"pcmt/store"
)

// breachEmails are the addresses of the test breach's records: none of
// them, nor their digests, may ever reach a page.
var breachEmails = []string{"alice@example.org", "bob@example.org", "carol@example.org"}

// addBreach imports b with e-mail records for the given addresses and
// returns its id.
func addBreach(t *testing.T, a *testApp, b store.Breach, emails ...string) int64 {
	t.Helper()
	var digests [][]byte
	for _, e := range emails {
		d := sha256.Sum256([]byte(e))
		digests = append(digests, d[:])
	}
	slices.SortFunc(digests, bytes.Compare)
	src := store.DigestSlice(store.RecordEmail, digests)
	b.Emails = int64(len(emails))
	ids, err := a.h.store.ImportBreaches(context.Background(),
		[]store.NewBreach{{Breach: b, Records: []store.DigestSource{src}}}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func breachPath(id int64) string { return "/breaches/" + strconv.FormatInt(id, 10) }

// noRecordsIn fails when a page shows a record or a digest of one.
func noRecordsIn(t *testing.T, body string) {
	t.Helper()
	for _, e := range breachEmails {
		d := sha256.Sum256([]byte(e))
		for _, leak := range []string{e, hex.EncodeToString(d[:]), strings.ToUpper(hex.EncodeToString(d[:]))} {
			if strings.Contains(body, leak) {
				t.Fatalf("the page shows a record: %q", leak)
			}
		}
	}
}

func TestBreachListForUsers(t *testing.T) {
	a := newTestApp(t, nil)
	_, u := a.newMember("ursula", "a quiet morning walk")

	status, doc, _ := u.page("/breaches")
	if status != http.StatusOK || doc.Find(`[data-testid="no-breaches"]`).Length() != 1 {
		t.Fatalf("empty list: %d, empty state shown %d times", status, doc.Find(`[data-testid="no-breaches"]`).Length())
	}

	date := time.Date(2022, 4, 23, 0, 0, 0, 0, time.UTC)
	addBreach(t, a, store.Breach{Name: "horrible", Title: "Horrible breach", Date: date, IsVerified: true,
		ContainsEmails: true, DataClasses: []string{"Email addresses", "Passwords"}}, breachEmails...)
	addBreach(t, a, store.Breach{Name: "minor"})

	resp, body := u.do(httptest.NewRequest(http.MethodGet, "/breaches", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", resp.StatusCode)
	}
	noRecordsIn(t, body)
	doc = parseHTML(t, body)
	rows := doc.Find(`[data-testid="breach"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d breaches listed, want 2", rows.Length())
	}
	var horrible string
	rows.Each(func(_ int, row *goquery.Selection) {
		if row.Find(`[data-testid="breach-title"]`).Text() == "Horrible breach" {
			horrible = strings.Join([]string{
				row.Find(`[data-testid="breach-date"]`).Text(),
				row.Find(`[data-testid="breach-verified"]`).Text(),
				row.Find(`[data-testid="breach-records"]`).Text(),
				row.Find(`[data-testid="breach-classes"] li`).First().Text(),
			}, "|")
		}
	})
	if horrible != "23 Apr 2022|verified|3|Email addresses" {
		t.Fatalf("the horrible breach shows %q", horrible)
	}
	if got := doc.Find(`[data-testid="breach-title"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Text() == "minor"
	}).Length(); got != 1 {
		t.Fatal("a breach without a title is not listed by its name")
	}
}

func TestBreachPageForUsersAndAdmins(t *testing.T) {
	a := newTestApp(t, nil)
	_, u := a.newMember("ursula", "a quiet morning walk")
	id := addBreach(t, a, store.Breach{Name: "salty", Title: "Salty", Domain: "salty.example",
		Description: "Leaked from a forum.", ContainsHashes: true, HashType: "bcrypt", HashSalted: true, Hashes: 5,
		DataClasses: []string{"Passwords"}}, breachEmails...)
	plain := addBreach(t, a, store.Breach{Name: "plain", ContainsEmails: true})

	a.addUser("root", store.RoleAdmin, "granite tower nights", false)
	ad := a.session()
	ad.signIn("root", "granite tower nights")
	for who, s := range map[string]*session{"user": u, "admin": ad} {
		resp, body := s.do(httptest.NewRequest(http.MethodGet, breachPath(id), nil))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", who, resp.StatusCode)
		}
		noRecordsIn(t, body)
		doc := parseHTML(t, body)
		for testid, want := range map[string]string{
			"breach-title": "Salty", "breach-domain": "salty.example", "breach-description": "Leaked from a forum.",
			"count-emails": "3", "count-hashes": "5", "count-records": "3", "breach-hash-type": "bcrypt",
		} {
			if got := strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).Text()); got != want {
				t.Errorf("%s: %s = %q, want %q", who, testid, got, want)
			}
		}
		if !strings.Contains(doc.Find(`[data-testid="not-searchable"]`).Text(), "salted: counted, cannot be searched") {
			t.Errorf("%s: the salted hashes are not said to be unsearchable", who)
		}
	}
	_, doc, _ := u.page(breachPath(plain))
	if doc.Find(`[data-testid="not-searchable"]`).Length() != 0 {
		t.Fatal("a breach without salted hashes is said to be unsearchable")
	}

	for _, path := range []string{breachPath(plain + 100), "/breaches/abc", "/breaches/0" + strconv.FormatInt(id, 10), "/breaches/-1"} {
		if resp, _ := u.do(httptest.NewRequest(http.MethodGet, path, nil)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func newGet(path string) *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }
