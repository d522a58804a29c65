package hibp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// RangeFetcher downloads whole ranges of the Pwned Passwords range API for
// a corpus sync, politely: conditional requests with the validators of the
// last sync, no padding, a bounded number of connections kept alive, a
// pause of every request when upstream answers 429 for as long as its
// Retry-After says, and growing waits after a 5xx, a network error or a
// malformed answer. It is safe for concurrent use by the sync's workers.
type RangeFetcher struct {
	base, userAgent string
	http            *http.Client
	attempts        int
	rateLimited     int
	backoff         time.Duration
	maxBackoff      time.Duration
	maxRetryAfter   time.Duration

	mu    sync.Mutex
	until time.Time // no request before this: upstream asked to wait
}

// RangeFetcherOptions configures a RangeFetcher; the zero value of each
// field picks its default.
type RangeFetcherOptions struct {
	URL       string // the range API's base URL; default DefaultPasswordsURL
	UserAgent string // default "pcmt"
	// Connections bounds the connections to upstream (default 8): one per
	// worker of the sync.
	Connections int
	// Attempts is how often one range is tried when upstream fails (5xx,
	// network errors, malformed answers) before the range fails; default 6.
	Attempts int
	// RateLimited is how many 429 answers one range may get before it
	// fails; default 20. Their waits count towards no Attempts.
	RateLimited int
	// Backoff is the first wait after a failure, doubled after each one up
	// to MaxBackoff; defaults 1 s and 1 min. Each wait is drawn between
	// half and all of it, so that workers do not come back together.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest 429 wait accepted (default 15 min): a
	// longer one fails the range rather than stall the sync for hours.
	MaxRetryAfter time.Duration
	// HTTP sends the requests; nil means a client made for Connections.
	HTTP *http.Client
}

// NewRangeFetcher checks opts and builds a fetcher.
func NewRangeFetcher(opts RangeFetcherOptions) (*RangeFetcher, error) {
	base, err := baseURL("PasswordsURL", cmp.Or(opts.URL, DefaultPasswordsURL))
	if err != nil {
		return nil, err
	}
	if opts.Connections < 0 || opts.Attempts < 0 || opts.RateLimited < 0 || opts.Backoff < 0 ||
		opts.MaxBackoff < 0 || opts.MaxRetryAfter < 0 {
		return nil, errors.New("hibp: range fetcher options must not be negative")
	}
	f := &RangeFetcher{
		base:          base,
		userAgent:     cmp.Or(opts.UserAgent, "pcmt"),
		http:          opts.HTTP,
		attempts:      cmp.Or(opts.Attempts, 6),
		rateLimited:   cmp.Or(opts.RateLimited, 20),
		backoff:       cmp.Or(opts.Backoff, time.Second),
		maxBackoff:    cmp.Or(opts.MaxBackoff, time.Minute),
		maxRetryAfter: cmp.Or(opts.MaxRetryAfter, 15*time.Minute),
	}
	if f.http == nil {
		conns := cmp.Or(opts.Connections, 8)
		// Up to conns connections kept alive; HTTP/2, when upstream speaks
		// it, multiplexes the workers' requests over fewer.
		f.http = newHTTP(2*time.Minute, conns, conns)
	}
	return f, nil
}

// URL is the base URL the fetcher asks.
func (f *RangeFetcher) URL() string { return f.base }

// Validators are what upstream said identifies its answer, sent back to
// learn whether it changed.
type Validators struct {
	ETag         string
	LastModified string
}

// RangeAnswer is one range as upstream answered it.
type RangeAnswer struct {
	// NotModified: upstream answered 304 to the validators sent.
	NotModified bool
	// Validators of the answer (for a 304, those sent unless upstream sent
	// new ones).
	Validators Validators
	// Digests (prefix included, back to back, 20 bytes each for SHA-1 and
	// 16 for NTLM) and Counts are the range's hashes, ascending.
	Digests []byte
	Counts  []uint64
}

// maxRangeAnswer bounds one answer: a range of the public corpus is ~45 KB.
const maxRangeAnswer = 8 << 20

// errRetry marks a failure worth another attempt; errRateLimited a 429.
var (
	errRetry       = errors.New("retry")
	errRateLimited = errors.New("rate limited")
)

// Fetch downloads the range prefix (0 to 0xFFFFF) of mode, sending v as
// If-None-Match and If-Modified-Since. It retries as RangeFetcherOptions
// says and returns an error naming the range when the range cannot be had:
// never part of one.
func (f *RangeFetcher) Fetch(ctx context.Context, mode string, prefix uint32, v Validators) (RangeAnswer, error) {
	if prefix > 0xFFFFF {
		return RangeAnswer{}, ErrBadPrefix
	}
	u, mode, err := rangeURL(f.base, fmt.Sprintf("%05X", prefix), mode)
	if err != nil {
		return RangeAnswer{}, err
	}
	failures, limited := 0, 0
	for {
		if err := f.waitTurn(ctx); err != nil {
			return RangeAnswer{}, err
		}
		a, err := f.once(ctx, u, mode, prefix, v)
		switch {
		case err == nil:
			return a, nil
		case ctx.Err() != nil:
			return RangeAnswer{}, ctx.Err()
		case errors.Is(err, errRateLimited):
			if limited++; limited >= f.rateLimited {
				return RangeAnswer{}, fmt.Errorf("range %05X: still rate limited after %d answers 429", prefix, limited)
			}
		case errors.Is(err, errRetry):
			if failures++; failures >= f.attempts {
				return RangeAnswer{}, giveUp(prefix, unwrapRetry(err), failures)
			}
			if err := sleep(ctx, f.wait(failures)); err != nil {
				return RangeAnswer{}, err
			}
		default:
			return RangeAnswer{}, fmt.Errorf("range %05X: %w", prefix, err)
		}
	}
}

// once sends one request. Errors worth retrying wrap errRetry, a 429
// wraps errRateLimited and pauses every request for its Retry-After.
func (f *RangeFetcher) once(ctx context.Context, u, mode string, prefix uint32, v Validators) (RangeAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return RangeAnswer{}, err
	}
	req.Header.Set("User-Agent", f.userAgent)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return RangeAnswer{}, retry(unwrapURL(err))
	}
	defer resp.Body.Close()
	got := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch s := resp.StatusCode; {
	case s == http.StatusOK:
		body, err := readBody(resp, maxRangeAnswer)
		if err != nil {
			return RangeAnswer{}, retry(err)
		}
		digests, counts, err := ParseRangeAnswer(body, prefix, mode)
		if err != nil {
			return RangeAnswer{}, retry(err)
		}
		return RangeAnswer{Validators: got, Digests: digests, Counts: counts}, nil
	case s == http.StatusNotModified:
		drain(resp.Body)
		return RangeAnswer{NotModified: true, Validators: Validators{ETag: cmp.Or(got.ETag, v.ETag),
			LastModified: cmp.Or(got.LastModified, v.LastModified)}}, nil
	case s == http.StatusTooManyRequests:
		drain(resp.Body)
		wait := retryAfter(resp.Header.Get("Retry-After"))
		if wait > f.maxRetryAfter {
			return RangeAnswer{}, fmt.Errorf("%w: asked to wait %s", ErrRateLimited, wait)
		}
		f.pause(time.Now().Add(wait))
		return RangeAnswer{}, errRateLimited
	case s >= 500 || s == http.StatusRequestTimeout:
		drain(resp.Body)
		return RangeAnswer{}, retry(&StatusError{Endpoint: "range", Status: s})
	default:
		drain(resp.Body)
		return RangeAnswer{}, &StatusError{Endpoint: "range", Status: s}
	}
}

// giveUp is the error of a range that failed attempts times: it names the
// range once.
func giveUp(prefix uint32, err error, attempts int) error {
	if errors.Is(err, ErrMalformedRange) {
		return fmt.Errorf("%w; gave up after %d attempts", err, attempts)
	}
	return fmt.Errorf("range %05X: %w; gave up after %d attempts", prefix, err, attempts)
}

type retryError struct{ err error }

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }
func (e *retryError) Is(target error) bool {
	return target == errRetry
}

func retry(err error) error { return &retryError{err: err} }

func unwrapRetry(err error) error {
	var r *retryError
	if errors.As(err, &r) {
		return r.err
	}
	return err
}

// drain reads what is left of a small answer so that its connection is
// kept alive.
func drain(body io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10)) }

// wait is the pause after the n-th failure of a range: Backoff doubled n-1
// times, at most MaxBackoff, drawn between half and all of it.
func (f *RangeFetcher) wait(n int) time.Duration {
	d := f.backoff
	for i := 1; i < n && d < f.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, f.maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// pause stops every request until t.
func (f *RangeFetcher) pause(t time.Time) {
	f.mu.Lock()
	if t.After(f.until) {
		f.until = t
	}
	f.mu.Unlock()
}

// waitTurn waits out a pause upstream asked for.
func (f *RangeFetcher) waitTurn(ctx context.Context) error {
	f.mu.Lock()
	until := f.until
	f.mu.Unlock()
	return sleep(ctx, time.Until(until))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
