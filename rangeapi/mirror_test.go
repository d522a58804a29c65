package rangeapi

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
	"pcmt/store/storetest"
)

// newMirrorServer is the test server with a read-through mirror of a fake
// range API serving a generated corpus of each mode over the first 64
// prefixes.
func newMirrorServer(t *testing.T) (*testServer, *hibptest.Server, map[string]*hibptest.Corpus) {
	t.Helper()
	corpora := map[string]*hibptest.Corpus{
		hibp.ModeSHA1: hibptest.Generate(hibp.ModeSHA1, 7, 64, 20),
		hibp.ModeNTLM: hibptest.Generate(hibp.ModeNTLM, 8, 64, 20),
	}
	up, err := hibptest.Start("127.0.0.1:0", corpora[hibp.ModeSHA1], corpora[hibp.ModeNTLM])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = up.Close() })
	a := newTestServer(t, func(st *store.Store) *breach.Mirror {
		m, err := breach.NewMirror(st, up.URL, "pcmt-test")
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
	return a, up, corpora
}

func getRange(t *testing.T, a *testServer, path string, padded bool) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if padded {
		req.Header.Set("Add-Padding", "true")
	}
	return a.do(req)
}

// TestRangeMirrorFillsOnce: a range never stored is asked of upstream on
// its first ask, answered as upstream does, kept, and served from the
// database afterwards; asks arriving together share one fetch.
func TestRangeMirrorFillsOnce(t *testing.T) {
	a, up, corpora := newMirrorServer(t)
	populated := corpora[hibp.ModeSHA1].Prefixes()
	p := populated[0]
	path := fmt.Sprintf("/range/%05X", p)

	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			resp, err := a.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
			}
			bodies[i] = string(b)
		}()
	}
	wg.Wait()
	want := string(corpora[hibp.ModeSHA1].Answer(p))
	for i, b := range bodies {
		if b != want {
			t.Fatalf("answer %d differs from upstream's:\n%q\nwant\n%q", i, b, want)
		}
	}
	if n := up.Hits(hibp.ModeSHA1, p); n != 1 {
		t.Errorf("upstream asked %d times for one range, want 1", n)
	}
	for range 3 {
		if resp, body := getRange(t, a, path, true); resp.StatusCode != http.StatusOK || len(body) < len(want) {
			t.Fatalf("again, padded: %d, %d bytes", resp.StatusCode, len(body))
		}
	}
	if n := up.Hits(hibp.ModeSHA1, p); n != 1 {
		t.Errorf("upstream asked %d times after the range was kept, want 1", n)
	}

	// NTLM likewise.
	np := corpora[hibp.ModeNTLM].Prefixes()[0]
	resp, body := getRange(t, a, fmt.Sprintf("/range/%05X?mode=ntlm", np), false)
	if resp.StatusCode != http.StatusOK || body != string(corpora[hibp.ModeNTLM].Answer(np)) {
		t.Errorf("NTLM range: %d, %q", resp.StatusCode, body)
	}
}

// TestRangeMirrorEmptyAndStoredRanges: a range upstream holds nothing of is
// an empty answer, asked of upstream once; a range stored locally is never
// asked of upstream.
func TestRangeMirrorEmptyAndStoredRanges(t *testing.T) {
	a, up, corpora := newMirrorServer(t)
	populated := map[uint32]bool{}
	for _, p := range corpora[hibp.ModeSHA1].Prefixes() {
		populated[p] = true
	}
	var empty uint32
	for populated[empty] {
		empty++
	}
	for range 3 {
		if resp, body := getRange(t, a, fmt.Sprintf("/range/%05X", empty), false); resp.StatusCode != http.StatusOK || body != "" {
			t.Fatalf("empty range: %d %q", resp.StatusCode, body)
		}
	}
	if n := up.Hits(hibp.ModeSHA1, empty); n != 1 {
		t.Errorf("an empty range was asked of upstream %d times, want 1", n)
	}

	storetest.WriteCorpus(t, a.st, map[string]uint64{"password": 9})
	if resp, body := getRange(t, a, "/range/5BAA6", false); resp.StatusCode != http.StatusOK || body == "" {
		t.Fatalf("stored range: %d %q", resp.StatusCode, body)
	}
	if n := up.Hits(hibp.ModeSHA1, 0x5BAA6); n != 0 {
		t.Errorf("a stored range was asked of upstream %d times", n)
	}
}

// TestRangeMirrorUpstreamDown: upstream failing is a 503 with Retry-After,
// never an empty "not found" answer, and nothing is kept; the next ask
// after upstream is back fills the range.
func TestRangeMirrorUpstreamDown(t *testing.T) {
	a, up, corpora := newMirrorServer(t)
	p := corpora[hibp.ModeSHA1].Prefixes()[1]
	path := fmt.Sprintf("/range/%05X", p)
	up.Fail(hibp.ModeSHA1, p, hibptest.Fault{Status: 502}, hibptest.Fault{Status: 503},
		hibptest.Fault{Status: 200, Body: "NOT A RANGE"}, hibptest.Fault{Status: 200, Body: "NOT A RANGE"})
	for range 2 {
		resp, body := getRange(t, a, path, true)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" || body != errRangeUpstream {
			t.Fatalf("upstream down: %d, Retry-After %q, %q", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if !strings.Contains(a.log.String(), "range mirror: upstream failed") {
		t.Errorf("upstream's failure is not in the log: %q", a.log.String())
	}
	if fetched, err := a.st.PwnedRangeFetched(t.Context(), "sha1", p); err != nil || fetched {
		t.Fatalf("a failed range was kept: %v %v", fetched, err)
	}
	resp, body := getRange(t, a, path, false)
	if resp.StatusCode != http.StatusOK || body != string(corpora[hibp.ModeSHA1].Answer(p)) {
		t.Fatalf("upstream back: %d %q", resp.StatusCode, body)
	}
}
