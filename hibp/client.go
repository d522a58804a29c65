// Package hibp is a client of the Have I Been Pwned API v3 and of the Pwned
// Passwords range API: one rate-limit scheduler per key shared by every
// caller, 429 + retry-after honoured, answers cached in SQLite under keys
// that do not reveal what was searched, each account lookup for the user
// who asked alone (see scope).
package hibp

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"pcmt/store"
)

// The public services, used when Options leaves the URLs empty.
const (
	DefaultBaseURL      = "https://haveibeenpwned.com/api/v3"
	DefaultPasswordsURL = "https://api.pwnedpasswords.com"
)

// Options configures a Client; the zero value of each field picks a default.
type Options struct {
	// APIKey authenticates breachedaccount and subscription calls; without
	// it those fail with ErrNoKey and everything else works.
	APIKey       string
	BaseURL      string // default DefaultBaseURL
	PasswordsURL string // default DefaultPasswordsURL
	// UserAgent is sent with every request (HIBP refuses requests without
	// one); default "pcmt". Pass "pcmt/" + the version.
	UserAgent string

	// Store caches answers for CacheTTL; nil or a CacheTTL of 0 caches
	// nothing. CacheKey keys the HMAC that names cache entries, so that the
	// table does not show which accounts were searched: a server secret of
	// at least 16 bytes, required when caching.
	Store    *store.Store
	CacheTTL time.Duration
	CacheKey []byte

	// HTTP sends the requests; nil means a client with timeouts that does
	// not follow redirects (which would carry the key elsewhere).
	HTTP *http.Client
	// RatePerMinute is the key's rate (default 10); MinInterval, when set,
	// overrides it as the least time between authenticated requests.
	RatePerMinute int
	MinInterval   time.Duration
	// MaxRetryWait bounds how long a call waits for its turn or for a pause
	// HIBP asked for (default 30s); a longer wait fails with ErrRateLimited.
	MaxRetryWait time.Duration
	// Now is the clock of the cache (default time.Now).
	Now func() time.Time
}

// Client calls HIBP. It is safe for concurrent use; build one per key and
// share it.
type Client struct {
	baseURL, passwordsURL, userAgent string
	// apiKey may change while the client serves (an admin sets it).
	apiKey atomic.Pointer[string]

	store    *store.Store
	cacheTTL time.Duration
	cacheKey []byte

	http *http.Client
	now  func() time.Time
	// auth spaces the authenticated requests; open only carries the pauses
	// of the free endpoints, which have no per-key rate.
	auth, open *scheduler
}

// New checks opts and builds a Client.
func New(opts Options) (*Client, error) {
	c := &Client{
		userAgent: cmp.Or(opts.UserAgent, "pcmt"),
		store:     opts.Store,
		cacheTTL:  opts.CacheTTL,
		cacheKey:  opts.CacheKey,
		http:      opts.HTTP,
		now:       opts.Now,
	}
	c.SetAPIKey(opts.APIKey)
	var err error
	if c.baseURL, err = baseURL("BaseURL", cmp.Or(opts.BaseURL, DefaultBaseURL)); err != nil {
		return nil, err
	}
	if c.passwordsURL, err = baseURL("PasswordsURL", cmp.Or(opts.PasswordsURL, DefaultPasswordsURL)); err != nil {
		return nil, err
	}
	if c.cacheTTL < 0 {
		return nil, errors.New("hibp: CacheTTL must not be negative")
	}
	if c.caching() && len(c.cacheKey) < 16 {
		return nil, errors.New("hibp: caching needs a CacheKey of at least 16 bytes")
	}
	if opts.RatePerMinute < 0 || opts.MinInterval < 0 || opts.MaxRetryWait < 0 {
		return nil, errors.New("hibp: RatePerMinute, MinInterval and MaxRetryWait must not be negative")
	}
	interval := opts.MinInterval
	if interval == 0 {
		interval = time.Minute / time.Duration(cmp.Or(opts.RatePerMinute, 10))
	}
	maxWait := cmp.Or(opts.MaxRetryWait, 30*time.Second)
	c.auth = &scheduler{interval: interval, maxWait: maxWait}
	c.open = &scheduler{maxWait: maxWait}
	if c.http == nil {
		c.http = newHTTP(time.Minute, 10, 0)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// HasKey says whether an API key is set, i.e. whether account searches can
// ask HIBP.
func (c *Client) HasKey() bool { return c.key() != "" }

// SetAPIKey replaces the API key ("" for none) for the requests to come.
func (c *Client) SetAPIKey(key string) { c.apiKey.Store(&key) }

func (c *Client) key() string { return *c.apiKey.Load() }

func (c *Client) caching() bool { return c.store != nil && c.cacheTTL > 0 }

func baseURL(name, s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", fmt.Errorf("hibp: %s must be an http or https URL without a query", name)
	}
	return strings.TrimRight(s, "/"), nil
}

// newHTTP is a client for HIBP's APIs: requests end after timeout, at most
// idle connections stay open, and perHost bounds the connections to one
// host (0: Go's defaults, no bound). Redirects are answers, not followed.
func newHTTP(timeout time.Duration, idle, perHost int) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxConnsPerHost:       perHost,
			MaxIdleConns:          idle,
			MaxIdleConnsPerHost:   perHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
