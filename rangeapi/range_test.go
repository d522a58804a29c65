package rangeapi

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/store"
)

// addCorpus writes digests (in any order) with count i+1 into the mode's
// corpus.
func addCorpus(t *testing.T, st *store.Store, mode store.PwnedMode, digests [][]byte) {
	t.Helper()
	ds := slices.Clone(digests)
	slices.SortFunc(ds, bytes.Compare)
	w, err := st.NewPwnedWriter(mode)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := w.Add(context.Background(), d, uint64(d[len(d)-1])+1); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func sha1Of(s string) []byte { d := sha1.Sum([]byte(s)); return d[:] }

// rangeLines splits a body into its SUFFIX:COUNT lines.
func rangeLines(t *testing.T, body string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	if body == "" {
		return out
	}
	if strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Fatalf("lines must be joined by CRLF with no trailing break: %q", body[max(0, len(body)-80):])
	}
	for _, line := range strings.Split(body, "\r\n") {
		suffix, count, ok := strings.Cut(line, ":")
		if !ok || suffix != strings.ToUpper(suffix) {
			t.Fatalf("line %q", line)
		}
		if _, dup := out[suffix]; dup {
			t.Fatalf("suffix %s twice", suffix)
		}
		n, err := strconv.ParseUint(count, 10, 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out[suffix] = n
	}
	return out
}

func TestRangeAnswersLikeThePublicAPI(t *testing.T) {
	a := newTestServer(t, nil)
	pw := sha1Of("P@ssw0rd")
	// Neighbours in the same range, and hashes elsewhere.
	same := [][]byte{pw}
	for i := range 5 {
		d := slices.Clone(pw)
		d[19] ^= byte(i + 1)
		same = append(same, d)
	}
	addCorpus(t, a.st, store.PwnedSHA1, append(same, sha1Of("other"), sha1Of("another")))
	full := strings.ToUpper(hex.EncodeToString(pw))

	for _, prefix := range []string{full[:5], strings.ToLower(full[:5])} {
		resp, body := a.get("/range/" + prefix)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain" {
			t.Fatalf("%s: %d %s", prefix, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		lines := rangeLines(t, body)
		if len(lines) != 6 || lines[full[5:]] != uint64(pw[19])+1 {
			t.Fatalf("%s: %d lines, %s → %d", prefix, len(lines), full[5:], lines[full[5:]])
		}
		for s := range lines {
			if len(s) != 35 {
				t.Fatalf("suffix %q is not 35 hex digits", s)
			}
		}
		if resp.Header.Get("Cache-Control") == "" || resp.Header.Get("ETag") == "" {
			t.Fatalf("cache headers: %v", resp.Header)
		}
	}

	// Every valid prefix is 200; an empty range has an empty body.
	empty := "00000"
	if full[:5] == empty {
		empty = "00001"
	}
	if resp, body := a.get("/range/" + empty); resp.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("empty range: %d %q", resp.StatusCode, body)
	}
	for _, bad := range []string{"21BD", "21BD12", "GHIJK", "21bd%20", "-1BD1"} {
		resp, body := a.get("/range/" + bad)
		if resp.StatusCode != http.StatusBadRequest || strings.Count(body, "\n") != 0 || !strings.Contains(body, "5 hexadecimal") {
			t.Fatalf("%q: %d %q", bad, resp.StatusCode, body)
		}
	}
	if resp, body := a.get("/range/" + full[:5] + "?mode=md5"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "sha1 or ntlm") {
		t.Fatalf("mode=md5: %d %q", resp.StatusCode, body)
	}
}

func TestRangeNTLMMode(t *testing.T) {
	a := newTestServer(t, nil)
	d, _ := hex.DecodeString("8846F7EAEE8FB117AD06BDD830B7586C") // NTLM of "password"
	addCorpus(t, a.st, store.PwnedNTLM, [][]byte{d})
	resp, body := a.get("/range/8846F?mode=ntlm")
	lines := rangeLines(t, body)
	if resp.StatusCode != http.StatusOK || lines["7EAEE8FB117AD06BDD830B7586C"] != uint64(d[15])+1 || len(lines) != 1 {
		t.Fatalf("ntlm: %d %q", resp.StatusCode, body)
	}
	if _, body := a.get("/range/8846F"); body != "" {
		t.Fatalf("the NTLM hash shows in the SHA-1 corpus: %q", body)
	}
}

func TestRangePadding(t *testing.T) {
	a := newTestServer(t, nil)
	pw := sha1Of("hunter2")
	var ds [][]byte
	for i := range 40 {
		d := slices.Clone(pw)
		d[10], d[19] = byte(i), byte(i)
		ds = append(ds, d)
	}
	addCorpus(t, a.st, store.PwnedSHA1, ds)
	prefix := strings.ToUpper(hex.EncodeToString(pw))[:5]
	plain := rangeLines(t, mustBody(t, a, "/range/"+prefix, false))
	sizes := map[int]bool{}
	for range 20 {
		req := httptest.NewRequest(http.MethodGet, "/range/"+prefix, nil)
		req.Header.Set("Add-Padding", "true")
		resp, body := a.do(req)
		lines := rangeLines(t, body)
		if resp.StatusCode != http.StatusOK || len(lines) < 800 || len(lines) > 1000 {
			t.Fatalf("padded: %d, %d lines", resp.StatusCode, len(lines))
		}
		sizes[len(lines)] = true
		for s, c := range plain {
			if lines[s] != c {
				t.Fatalf("padding changed %s: %d, want %d", s, lines[s], c)
			}
		}
		zero := 0
		for s, c := range lines {
			if _, real := plain[s]; !real {
				if c != 0 {
					t.Fatalf("filler %s has count %d", s, c)
				}
				zero++
			}
		}
		if zero+len(plain) != len(lines) {
			t.Fatalf("%d fillers + %d real != %d", zero, len(plain), len(lines))
		}
		suffixes := strings.Split(body, "\r\n")
		if !slices.IsSorted(suffixes) {
			t.Fatal("padded lines are not in suffix order")
		}
	}
	if len(sizes) < 2 {
		t.Fatalf("20 padded answers all had %v lines", sizes)
	}
}

func mustBody(t *testing.T, a *testServer, path string, padded bool) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if padded {
		req.Header.Set("Add-Padding", "true")
	}
	resp, body := a.do(req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	return body
}

func TestRangeETagAndFreshness(t *testing.T) {
	a := newTestServer(t, nil)
	pw := sha1Of("letmein")
	addCorpus(t, a.st, store.PwnedSHA1, [][]byte{pw})
	prefix := strings.ToUpper(hex.EncodeToString(pw))[:5]
	resp, _ := a.get("/range/" + prefix)
	etag := resp.Header.Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/range/"+prefix, nil)
	req.Header.Set("If-None-Match", etag)
	if resp, body := a.do(req); resp.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("If-None-Match: %d %q", resp.StatusCode, body)
	}
	// A new import into the corpus shows at once (the kept answer is
	// dropped), with a new ETag.
	if err := a.st.BeginPwnedImport(context.Background(), mustJob(t, a.st), store.PwnedSHA1, "sorted", true); err != nil {
		t.Fatal(err)
	}
	d := slices.Clone(pw)
	d[19]++
	addCorpus(t, a.st, store.PwnedSHA1, [][]byte{pw, d})
	resp, body := a.get("/range/" + prefix)
	if resp.Header.Get("ETag") == etag || len(rangeLines(t, body)) != 2 {
		t.Fatalf("after an import: ETag %s (was %s), body %q", resp.Header.Get("ETag"), etag, body)
	}
}

func mustJob(t *testing.T, st *store.Store) int64 {
	t.Helper()
	id, err := st.CreateImportJob(context.Background(), store.ImportJob{Origin: "cli", Path: "/x", FileName: "x",
		Fingerprint: "f", Options: "{}"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func FuzzRangePrefix(f *testing.F) {
	for _, s := range []string{"21BD1", "21bd1", "00000", "FFFFF", "21BD", "21BD12", "GHIJK", "", "2 BD1", "２1BD1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parseRangePrefix(s)
		valid := len(s) == 5 && strings.Trim(s, "0123456789abcdefABCDEF") == ""
		if ok != valid {
			t.Fatalf("%q: ok %v, want %v", s, ok, valid)
		}
		if ok && fmt.Sprintf("%05X", p) != strings.ToUpper(s) {
			t.Fatalf("%q parsed as %05X", s, p)
		}
	})
}
