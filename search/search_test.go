package search_test

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // the Pwned Passwords digest
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibpfake"
	"pcmt/search"
	"pcmt/store"
	"pcmt/store/storetest"
)

// The fixtures: an address, a username and a password in the local data,
// an address only HIBP knows, and one nobody knows.
const (
	localEmail    = "Alice@Example.org" // stored normalised
	localUsername = "alice_77"
	hibpEmail     = "hibp-only@example.com"
	cleanEmail    = "nobody@example.net"
	localPassword = "correct horse battery"
	hibpPassword  = "unguessable violet kettle 9"
)

// world is a database with one e-mail breach, one username breach, a
// password breach and a corpus, and a fake HIBP that knows localEmail and
// hibpEmail (in Adobe) and has seen hibpPassword 7 times and localPassword
// 5000 times.
type world struct {
	st                  *store.Store
	fake                *hibpfake.API
	forum, game, dumpPW int64
	forumDay            time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{st: storetest.New(t), forumDay: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)}
	e := breach.EmailDigest([]byte(localEmail))
	u := breach.UsernameDigest([]byte(localUsername))
	p := sha1.Sum([]byte(localPassword)) //nolint:gosec // the Pwned Passwords digest
	w.forum = storetest.ImportRecords(t, w.st, store.Breach{Name: "forum", Title: "Forum dump", Date: w.forumDay,
		IsVerified: true, DataClasses: []string{"Email addresses"}}, store.RecordEmail, e[:])
	w.game = storetest.ImportRecords(t, w.st, store.Breach{Name: "game"}, store.RecordUsername, u[:])
	w.dumpPW = storetest.ImportRecords(t, w.st, store.Breach{Name: "pwdump"}, store.RecordSHA1, p[:])
	storetest.WriteCorpus(t, w.st, map[string]uint64{localPassword: 1234})
	w.fake = hibpfake.New(t, []string{localEmail, hibpEmail}, map[string]uint64{hibpPassword: 7, localPassword: 5000})
	return w
}

func ids(bs []store.Breach) []int64 {
	out := make([]int64, len(bs))
	for i := range bs {
		out[i] = bs[i].ID
	}
	return out
}

func names(bs []hibp.Breach) []string {
	out := make([]string, len(bs))
	for i := range bs {
		out[i] = bs[i].Name
	}
	return out
}

func TestAccount(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name    string
		client  func() *hibp.Client
		fail    int // the fake's status for every answer; 0 answers
		account string
		kind    store.RecordKind
		local   []int64
		remote  []string
		hibp    search.HIBP
	}{
		{"no client", nil, 0, localEmail, store.RecordEmail, []int64{w.forum}, nil, search.HIBPOff},
		{"no key", func() *hibp.Client { return w.fake.Client(t, "") }, 0, localEmail, store.RecordEmail, []int64{w.forum}, nil, search.HIBPOff},
		{"both", func() *hibp.Client { return w.fake.Client(t, "k") }, 0, "  ALICE@example.org ", store.RecordEmail, []int64{w.forum}, []string{"Adobe"}, search.HIBPAsked},
		{"hibp only", func() *hibp.Client { return w.fake.Client(t, "k") }, 0, hibpEmail, store.RecordEmail, nil, []string{"Adobe"}, search.HIBPAsked},
		{"username", nil, 0, localUsername, store.RecordUsername, []int64{w.game}, nil, search.HIBPOff},
		{"clean", func() *hibp.Client { return w.fake.Client(t, "k") }, 0, cleanEmail, store.RecordEmail, nil, nil, search.HIBPAsked},
		{"hibp fails", func() *hibp.Client { return w.fake.Client(t, "k") }, http.StatusInternalServerError, localEmail, store.RecordEmail, []int64{w.forum}, nil, search.HIBPFailed},
		{"hibp busy", func() *hibp.Client { return w.fake.Client(t, "k") }, http.StatusTooManyRequests, localEmail, store.RecordEmail, []int64{w.forum}, nil, search.HIBPBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *hibp.Client
			if tc.client != nil {
				c = tc.client()
			}
			w.fake.Fail(tc.fail)
			defer w.fake.Fail(0)
			r, err := search.New(w.st, c, nil).Account(t.Context(), 1, tc.account)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.kind || !slices.Equal(ids(r.Local), tc.local) || !slices.Equal(names(r.Remote), tc.remote) ||
				r.HIBP != tc.hibp || r.LocalBreaches != 3 || r.Found() != (len(tc.local)+len(tc.remote) > 0) {
				t.Errorf("got kind %v, local %v, remote %v, HIBP %v, %d breaches; want %v, %v, %v, %v, 3",
					r.Kind, ids(r.Local), names(r.Remote), r.HIBP, r.LocalBreaches, tc.kind, tc.local, tc.remote, tc.hibp)
			}
			if r.HIBP.Failed() != (tc.fail != 0) {
				t.Errorf("Failed() = %v with HIBP answering %d", r.HIBP.Failed(), tc.fail)
			}
		})
	}
	if asked, keys := w.fake.Asked(); slices.Contains(keys, "") || len(asked) != 5 {
		t.Errorf("HIBP was asked for %q with keys %q: want 5 lookups, each with the key", asked, keys)
	}
}

// The local breach comes back whole: the API and the page render it from
// the domain result, not from a view of it.
func TestAccountGivesWholeBreaches(t *testing.T) {
	w := newWorld(t)
	r, err := search.New(w.st, nil, nil).Account(t.Context(), 1, localEmail)
	if err != nil || len(r.Local) != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if b := r.Local[0]; b.Title != "Forum dump" || !b.Date.Equal(w.forumDay) || !b.IsVerified || !slices.Equal(b.DataClasses, []string{"Email addresses"}) {
		t.Fatalf("breach %+v", b)
	}
}

// HIBP's answer is cached for the user who asked alone: a second user's
// search of the same account asks HIBP again, the first user's repeat
// does not.
func TestAccountCacheIsPerUser(t *testing.T) {
	w := newWorld(t)
	c, err := hibp.New(hibp.Options{APIKey: "k", BaseURL: w.fake.URL(), PasswordsURL: w.fake.URL(),
		MinInterval: time.Millisecond, MaxRetryWait: time.Second,
		Store: w.st, CacheTTL: time.Hour, CacheKey: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	s := search.New(w.st, c, nil)
	for i, step := range []struct {
		user  int64
		asked int
	}{{1, 1}, {1, 1}, {2, 2}, {2, 2}, {1, 2}} {
		r, err := s.Account(t.Context(), step.user, hibpEmail)
		if err != nil || r.HIBP != search.HIBPAsked || !slices.Equal(names(r.Remote), []string{"Adobe"}) {
			t.Fatalf("step %d: %+v %v", i, r, err)
		}
		if got := w.fake.Lookups(); got != step.asked {
			t.Fatalf("step %d (user %d): HIBP asked %d times, want %d", i, step.user, got, step.asked)
		}
	}
}

func TestLocal(t *testing.T) {
	w := newWorld(t)
	kind, found, err := search.New(w.st, w.fake.Client(t, "k"), nil).Local(t.Context(), "alice@EXAMPLE.org")
	if err != nil || kind != store.RecordEmail || !slices.Equal(ids(found), []int64{w.forum}) {
		t.Fatalf("kind %v, found %v, %v", kind, ids(found), err)
	}
	if n := w.fake.Lookups(); n != 0 {
		t.Fatalf("a local search asked HIBP %d times", n)
	}
}

func TestPassword(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name     string
		client   bool
		fail     int
		password string
		seen     uint64
		local    []int64
		hibp     search.HIBP
	}{
		{"local only", false, 0, localPassword, 1234, []int64{w.dumpPW}, search.HIBPOff},
		{"the larger count", true, 0, localPassword, 5000, []int64{w.dumpPW}, search.HIBPAsked},
		{"hibp only", true, 0, hibpPassword, 7, nil, search.HIBPAsked},
		{"unknown", true, 0, "nobody has this one", 0, nil, search.HIBPAsked},
		{"hibp fails", true, http.StatusBadGateway, localPassword, 1234, []int64{w.dumpPW}, search.HIBPFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *hibp.Client
			if tc.client {
				c = w.fake.Client(t, "") // the range API needs no key
			}
			w.fake.Fail(tc.fail)
			defer w.fake.Fail(0)
			r, err := search.New(w.st, c, nil).Password(t.Context(), tc.password)
			if err != nil {
				t.Fatal(err)
			}
			if r.Seen != tc.seen || !slices.Equal(ids(r.Local), tc.local) || r.HIBP != tc.hibp {
				t.Errorf("got seen %d, local %v, HIBP %v; want %d, %v, %v", r.Seen, ids(r.Local), r.HIBP, tc.seen, tc.local, tc.hibp)
			}
		})
	}
}

func TestRange(t *testing.T) {
	w := newWorld(t)
	sum := sha1.Sum([]byte(hibpPassword)) //nolint:gosec // the Pwned Passwords digest
	prefix := []byte(strings.ToUpper(hex.EncodeToString(sum[:])))
	if got, state := search.New(w.st, nil, nil).Range(t.Context(), string(prefix[:5])); got != nil || state != search.HIBPOff {
		t.Fatalf("without a client: %v %v", got, state)
	}
	s := search.New(w.st, w.fake.Client(t, ""), nil)
	got, state := s.Range(t.Context(), string(prefix[:5]))
	if state != search.HIBPAsked || !slices.ContainsFunc(got, func(e hibp.RangeEntry) bool {
		return e.Suffix == string(prefix[5:]) && e.Count == 7
	}) {
		t.Fatalf("range: %v %v", got, state)
	}
	w.fake.Fail(http.StatusTooManyRequests)
	if got, state := s.Range(t.Context(), string(prefix[:5])); got != nil || state != search.HIBPBusy {
		t.Fatalf("HIBP busy: %v %v", got, state)
	}
}
