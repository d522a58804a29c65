package hibp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"pcmt/hibp"
	"pcmt/hibp/hibptest"
)

func startUpstream(t *testing.T, corpora ...*hibptest.Corpus) *hibptest.Server {
	t.Helper()
	s, err := hibptest.Start("127.0.0.1:0", corpora...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newFetcher(t *testing.T, url string) *hibp.RangeFetcher {
	t.Helper()
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: url, UserAgent: testUserAgent, Connections: 2,
		Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRangeFetcherConditional: a range comes whole with its validators; sent
// back, they get a 304 that keeps them. The request carries the user agent
// and asks for no padding.
func TestRangeFetcherConditional(t *testing.T) {
	sha1 := hibptest.Generate(hibp.ModeSHA1, 1, 16, 20)
	ntlm := hibptest.Generate(hibp.ModeNTLM, 2, 16, 20)
	up := startUpstream(t, sha1, ntlm)
	f := newFetcher(t, up.URL)
	ctx := context.Background()
	for _, c := range []*hibptest.Corpus{sha1, ntlm} {
		p := c.Prefixes()[0]
		a, err := f.Fetch(ctx, c.Mode, p, hibp.Validators{})
		if err != nil {
			t.Fatal(err)
		}
		want, wantCounts, _ := hibp.ParseRangeAnswer(c.Answer(p), p, c.Mode)
		if a.NotModified || !bytes.Equal(a.Digests, want) || !slices.Equal(a.Counts, wantCounts) || len(wantCounts) == 0 {
			t.Fatalf("%s %05X: %d hashes, want %d", c.Mode, p, len(a.Counts), len(wantCounts))
		}
		if a.Validators.ETag == "" || a.Validators.LastModified == "" {
			t.Fatalf("no validators: %+v", a.Validators)
		}
		again, err := f.Fetch(ctx, c.Mode, p, a.Validators)
		if err != nil || !again.NotModified || again.Validators != a.Validators || again.Counts != nil {
			t.Fatalf("conditional fetch: %+v, %v", again, err)
		}
	}
	st := up.Stats()
	if st.Requests != 4 || st.NotModified != 2 || st.Conditional != 2 || st.Padded != 0 || st.UserAgents[testUserAgent] != 4 {
		t.Fatalf("upstream saw %+v", st)
	}
}

// TestRangeFetcherRetries: 5xx answers and 429s are tried again (a 429
// after its Retry-After); a range malformed at every attempt, or a status
// that is no passing trouble, fails with an error naming the range.
func TestRangeFetcherRetries(t *testing.T) {
	c := hibptest.Generate(hibp.ModeSHA1, 3, 16, 20)
	up := startUpstream(t, c)
	f := newFetcher(t, up.URL)
	ctx := context.Background()
	ps := c.Prefixes()

	up.Fail(c.Mode, ps[0], hibptest.Fault{Status: 503}, hibptest.Fault{Status: 500})
	up.Fail(c.Mode, ps[1], hibptest.Fault{Status: 429, RetryAfter: "0"}, hibptest.Fault{Status: 429, RetryAfter: "0"},
		hibptest.Fault{Status: 429, RetryAfter: "0"}, hibptest.Fault{Status: 502})
	up.Fail(c.Mode, ps[2], hibptest.Fault{Body: "<html>oops</html>"}, hibptest.Fault{Delay: 50 * time.Millisecond})
	for _, p := range ps[:3] {
		a, err := f.Fetch(ctx, c.Mode, p, hibp.Validators{})
		want, _, _ := hibp.ParseRangeAnswer(c.Answer(p), p, c.Mode)
		if err != nil || !bytes.Equal(a.Digests, want) {
			t.Fatalf("%05X after faults: %v", p, err)
		}
	}
	if h := []int{up.Hits(c.Mode, ps[0]), up.Hits(c.Mode, ps[1]), up.Hits(c.Mode, ps[2])}; !slices.Equal(h, []int{3, 5, 2}) {
		t.Fatalf("requests per range %v, want [3 5 2]", h)
	}

	up.Fail(c.Mode, ps[3], hibptest.Fault{Body: "ZZ:1"}, hibptest.Fault{Body: "ZZ:1"}, hibptest.Fault{Body: "ZZ:1"})
	_, err := f.Fetch(ctx, c.Mode, ps[3], hibp.Validators{})
	if !errors.Is(err, hibp.ErrMalformedRange) || !strings.Contains(err.Error(), "range "+hexPrefix(ps[3])+": line 1") ||
		!strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("malformed three times: %v", err)
	}
	up.Fail(c.Mode, ps[4], hibptest.Fault{Status: http.StatusNotFound})
	if _, err := f.Fetch(ctx, c.Mode, ps[4], hibp.Validators{}); err == nil || !strings.Contains(err.Error(), "404") ||
		up.Hits(c.Mode, ps[4]) != 1 {
		t.Fatalf("404: %v after %d requests", err, up.Hits(c.Mode, ps[4]))
	}
	up.Fail(c.Mode, ps[5], hibptest.Fault{Status: 429, RetryAfter: "86400"})
	if _, err := f.Fetch(ctx, c.Mode, ps[5], hibp.Validators{}); !errors.Is(err, hibp.ErrRateLimited) {
		t.Fatalf("a day's Retry-After: %v", err)
	}
}

func hexPrefix(p uint32) string { return fmt.Sprintf("%05X", p) }
