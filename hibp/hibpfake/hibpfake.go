// Package hibpfake is a local Have I Been Pwned for the tests of searches:
// the account API for a few accounts and the range API for a few
// passwords, on 127.0.0.1, so that no test reaches the real one. (hibptest
// serves whole corpora, for syncs and benchmarks.)
package hibpfake

import (
	"crypto/sha1" //nolint:gosec // the Pwned Passwords digest
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/hibp"
)

// API is a local stand-in for Have I Been Pwned's account API, with the
// range API for a few passwords: the accounts it knows are all in one
// breach, Adobe (verified, 2013-10-04), and a switch makes every answer
// fail. It records which accounts it was asked about, and with which key,
// so that tests can check what left the instance.
type API struct {
	mu     sync.Mutex
	status int // when not 0, every answer has this status
	asked  []string
	keys   []string
	srv    *httptest.Server
}

// adobe is the breach every known account is in, as HIBP writes it.
var adobe = map[string]any{
	"Name": "Adobe", "Title": "Adobe", "BreachDate": "2013-10-04", "IsVerified": true,
	"DataClasses": []string{"Email addresses", "Password hints"},
}

// New serves the fake on 127.0.0.1 until the test ends. known are the
// accounts in Adobe (case does not matter); passwords are the counts the
// range API gives the passwords it knows.
func New(t testing.TB, known []string, passwords map[string]uint64) *API {
	t.Helper()
	f := &API{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /breachedaccount/{account}", func(w http.ResponseWriter, r *http.Request) {
		account := r.PathValue("account")
		f.mu.Lock()
		status := f.status
		f.asked = append(f.asked, account)
		f.keys = append(f.keys, r.Header.Get("hibp-api-key"))
		f.mu.Unlock()
		switch {
		case status == http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(status)
			return
		case status != 0:
			w.WriteHeader(status)
			return
		case !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, account) }):
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]map[string]any{adobe})
	})
	// The breach list, from which a cached answer's details come.
	mux.HandleFunc("GET /breaches", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]map[string]any{adobe})
	})
	mux.HandleFunc("GET /range/{prefix}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		status := f.status
		f.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		for p, n := range passwords {
			sum := sha1.Sum([]byte(p)) //nolint:gosec // the Pwned Passwords digest
			h := strings.ToUpper(hex.EncodeToString(sum[:]))
			if r.PathValue("prefix") == h[:5] {
				_, _ = io.WriteString(w, h[5:]+":"+strconv.FormatUint(n, 10)+"\r\n")
			}
		}
		// Padding, as HIBP adds when asked to.
		_, _ = io.WriteString(w, "0000000000000000000000000000000000A:0")
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the fake's base URL, for both the account and the range API.
func (f *API) URL() string { return f.srv.URL }

// Close stops the fake: HIBP is then unreachable.
func (f *API) Close() { f.srv.Close() }

// Fail makes every answer from now on have status (0: answer again).
func (f *API) Fail(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
}

// Asked returns the accounts the fake was asked about, in order, and the
// key of each request.
func (f *API) Asked() (accounts, keys []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked), slices.Clone(f.keys)
}

// Lookups is how many times the fake was asked about an account.
func (f *API) Lookups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.asked)
}

// Client is an HIBP client of the fake with key ("" for none), without a
// cache.
func (f *API) Client(t testing.TB, key string) *hibp.Client {
	t.Helper()
	c, err := hibp.New(hibp.Options{APIKey: key, BaseURL: f.srv.URL, PasswordsURL: f.srv.URL,
		MinInterval: time.Millisecond, MaxRetryWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
