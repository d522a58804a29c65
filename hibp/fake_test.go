package hibp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testKey       = "0123456789abcdef0123456789abcdef"
	testUserAgent = "pcmt-test/1.0"
	// testUser is the user on whose behalf the tests look accounts up.
	testUser = 1
)

// fake is a local stand-in for haveibeenpwned.com and api.pwnedpasswords.com:
// the real endpoints' paths, headers and JSON, a count of the requests and
// the arrival time of each authenticated one.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	breaches map[string]json.RawMessage // by name: every breach /breach/ knows
	listed   []string                   // the names /breaches lists
	accounts map[string][]string        // account → breach names
	ranges   map[string]string          // "sha1/ABCDE" → body

	mu       sync.Mutex
	hits     map[string]int // by endpoint
	authAt   []time.Time    // arrivals of authenticated requests
	tooMany  int            // answer 429 to this many next authenticated requests
	retry    string         // their retry-after
	served   chan time.Time // when each 429 was sent, if not nil
	override int            // when set, the status of every answer
}

func newFake(t *testing.T) *fake {
	t.Helper()
	raw, err := os.ReadFile("testdata/breaches.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	f := &fake{t: t, breaches: map[string]json.RawMessage{}, hits: map[string]int{}, ranges: map[string]string{},
		accounts: map[string][]string{"alice@example.com": {"Adobe", "LinkedIn", "Collection1"}, "bob": {"Adobe"}}}
	for _, b := range list {
		var named struct{ Name string }
		if err := json.Unmarshal(b, &named); err != nil {
			t.Fatal(err)
		}
		f.breaches[named.Name] = b
	}
	// Collection1 is newer than the list: only /breach/ knows it.
	f.listed = []string{"Adobe", "LinkedIn"}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/breachedaccount/{account}", f.auth("breachedaccount", f.breachedAccount))
	mux.HandleFunc("GET /api/v3/subscription/status", f.auth("subscription", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"SubscriptionName":"Pwned 1","Rpm":10,"SubscribedUntil":"2027-01-01T00:00:00"}`))
	}))
	mux.HandleFunc("GET /api/v3/breaches", f.open("breaches", f.allBreaches))
	mux.HandleFunc("GET /api/v3/breach/{name}", f.open("breach", f.oneBreach))
	mux.HandleFunc("GET /range/{prefix}", f.open("range", f.rangeAnswer))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// set changes f while requests may be in flight.
func (f *fake) set(change func(*fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

func (f *fake) baseURL() string      { return f.srv.URL + "/api/v3" }
func (f *fake) passwordsURL() string { return f.srv.URL }

func (f *fake) count(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[endpoint]
}

func (f *fake) arrivals() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.authAt...)
}

// open counts the request and checks what every HIBP endpoint wants: a
// user agent (403 without).
func (f *fake) open(endpoint string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[endpoint]++
		override := f.override
		f.mu.Unlock()
		if r.Header.Get("User-Agent") != testUserAgent {
			http.Error(w, "no user agent", http.StatusForbidden)
			return
		}
		if override != 0 {
			http.Error(w, "overridden", override)
			return
		}
		h(w, r)
	}
}

// auth adds the key check (401) and the rate limit (429 + retry-after).
func (f *fake) auth(endpoint string, h http.HandlerFunc) http.HandlerFunc {
	return f.open(endpoint, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("hibp-api-key") != testKey {
			http.Error(w, `{"statusCode":401,"message":"Access denied due to invalid hibp-api-key."}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.authAt = append(f.authAt, time.Now())
		limited, retry := f.tooMany > 0, f.retry
		if limited {
			f.tooMany--
		}
		f.mu.Unlock()
		if limited {
			w.Header().Set("retry-after", retry)
			http.Error(w, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`, http.StatusTooManyRequests)
			if f.served != nil {
				f.served <- time.Now()
			}
			return
		}
		h(w, r)
	})
}

func (f *fake) breachedAccount(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("truncateResponse") != "false" {
		f.t.Errorf("breachedaccount without truncateResponse=false: %q", r.URL.RawQuery)
	}
	names, ok := f.accounts[r.PathValue("account")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	f.writeBreaches(w, names)
}

func (f *fake) allBreaches(w http.ResponseWriter, _ *http.Request) { f.writeBreaches(w, f.listed) }

func (f *fake) writeBreaches(w http.ResponseWriter, names []string) {
	out := make([]json.RawMessage, len(names))
	for i, n := range names {
		out[i] = f.breaches[n]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fake) oneBreach(w http.ResponseWriter, r *http.Request) {
	b, ok := f.breaches[r.PathValue("name")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func (f *fake) rangeAnswer(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Add-Padding") != "true" {
		f.t.Errorf("range without Add-Padding: true")
	}
	mode := "sha1"
	if m := r.URL.Query().Get("mode"); m != "" {
		mode = m
	}
	body, ok := f.ranges[mode+"/"+r.PathValue("prefix")]
	if !ok {
		f.t.Errorf("range: unexpected %s %s", mode, r.PathValue("prefix"))
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(body))
}

// padded makes a range body: the real lines, then count-0 padding lines.
func padded(suffixLen int, lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
	for i := range 5 {
		b.WriteString(strings.Repeat(strconv.Itoa(i), suffixLen) + ":0\r\n")
	}
	return strings.TrimSuffix(b.String(), "\r\n")
}
