package routes

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"pcmt/config"
)

func TestRateLimitPerClient(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) { c.HTTP.RateLimit = 3 })
	for i := range 3 {
		if resp, _ := a.get("/"); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := a.get("/")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "Too many requests") {
		t.Fatalf("429 page: %.300s", body)
	}
	checkSecurityHeaders(t, resp)
	for _, path := range []string{"/healthz", "/readyz", a.h.assets.Current().URL("app.css")} {
		if resp, _ := a.get(path); resp.StatusCode != 200 {
			t.Errorf("%s is rate limited: %d", path, resp.StatusCode)
		}
	}
}

func TestClientIP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		remote  string
		xff     string
		want    string
	}{
		{"no proxies: header ignored", nil, "203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"untrusted remote: header ignored", []string{"10.0.0.1"}, "203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"trusted proxy", []string{"10.0.0.1"}, "10.0.0.1:5000", "198.51.100.1", "198.51.100.1"},
		{"spoofed left entry", []string{"10.0.0.1"}, "10.0.0.1:5000", "1.1.1.1, 198.51.100.1", "198.51.100.1"},
		{"chain of proxies", []string{"10.0.0.0/8"}, "10.0.0.1:5000", "1.1.1.1, 198.51.100.1, 10.0.0.9", "198.51.100.1"},
		{"garbage header", []string{"10.0.0.1"}, "10.0.0.1:5000", "not-an-ip", "10.0.0.1"},
		{"only proxies", []string{"10.0.0.0/8"}, "10.0.0.1:5000", "10.0.0.2", "10.0.0.2"},
		{"ipv6 client", []string{"::1"}, "[::1]:5000", "2001:db8::1", "2001:db8::1"},
		// Lines of the header are one list, in order: a proxy may add its
		// own line after the one the client wrote.
		{"spoofed first line", []string{"10.0.0.1"}, "10.0.0.1:5000", "1.1.1.1\n198.51.100.1", "198.51.100.1"},
		{"lines through proxies", []string{"10.0.0.0/8"}, "10.0.0.1:5000", "1.1.1.1, 2.2.2.2\n198.51.100.1, 10.0.0.9\n10.0.0.8", "198.51.100.1"},
		{"empty last line", []string{"10.0.0.1"}, "10.0.0.1:5000", "198.51.100.1\n", "10.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, func(c *config.Config) { c.HTTP.TrustedProxies = tc.proxies })
			fctx := newRequestCtx(t, "GET", "/", tc.remote)
			if tc.xff != "" {
				for line := range strings.SplitSeq(tc.xff, "\n") {
					fctx.Request.Header.Add("X-Forwarded-For", line)
				}
			}
			c := a.app.AcquireCtx(fctx)
			defer a.app.ReleaseCtx(c)
			if got := a.h.clientIP(c); got != tc.want {
				t.Fatalf("clientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAccessLogNeverHasQueries(t *testing.T) {
	a := newTestApp(t, nil)
	a.get("/signin?q=hunter2@example.com")
	log := a.log.String()
	if strings.Contains(log, "hunter2") || !strings.Contains(log, "route=/signin") {
		t.Fatalf("access log:\n%s", log)
	}
	if !strings.Contains(log, "request_id=") || !strings.Contains(log, "status=200") {
		t.Fatalf("access log lacks request id or status:\n%s", log)
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	a := newTestApp(t, nil)
	seen := map[string]bool{}
	for range 50 {
		resp, _ := a.do(httptest.NewRequest("GET", "/healthz", nil))
		id := resp.Header.Get("X-Request-ID")
		if id == "" || seen[id] {
			t.Fatalf("request id %q repeated or empty", id)
		}
		seen[id] = true
	}
}

// TestForwardedLinesOverSocket sends X-Forwarded-For as two header lines
// through a trusted proxy, the first forged by the client: the access log
// and the rate limit take the address the proxy's own line names.
func TestForwardedLinesOverSocket(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) {
		c.HTTP.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"}
		c.HTTP.RateLimit = 2
	})
	base := a.serve()
	get := func(forged string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Add("X-Forwarded-For", forged)
		req.Header.Add("X-Forwarded-For", "198.51.100.7, 10.0.0.2")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A client changing its forged line each time is still one client.
	for i, forged := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		want := http.StatusOK
		if i == 2 {
			want = http.StatusTooManyRequests
		}
		if got := get(forged); got != want {
			t.Errorf("request %d: %d, want %d", i+1, got, want)
		}
	}
	log := a.log.String()
	if n := strings.Count(log, "ip=198.51.100.7"); n != 3 || strings.Contains(log, "ip=203.0.113.") {
		t.Errorf("the log names the client 198.51.100.7 %d times, want 3, and never a forged address:\n%s", n, log)
	}
}

// FuzzClientIP: whatever the header lines say, the client address is an
// address, the connection's or one the lines name; and once the lines name
// a client that is no trusted proxy, no line a client puts before them
// changes it.
func FuzzClientIP(f *testing.F) {
	for _, s := range [][2]string{
		{"198.51.100.1", "1.1.1.1"}, {"1.1.1.1, 198.51.100.1\n10.0.0.9", "x"}, {"[2001:db8::1]:443", "10.0.0.3"},
		{"10.0.0.2\n10.0.0.3", "203.0.113.9"}, {"not-an-ip", ""}, {"198.51.100.1,\n", "1.1.1.1,1.1.1.2"},
	} {
		f.Add(s[0], s[1])
	}
	a := newTestApp(f, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"10.0.0.0/8", "::1"} })
	clientIP := func(t *testing.T, lines []string) string {
		fctx := newRequestCtx(t, "GET", "/", "10.0.0.1:5000")
		for _, l := range lines {
			fctx.Request.Header.Add("X-Forwarded-For", l)
		}
		c := a.app.AcquireCtx(fctx)
		defer a.app.ReleaseCtx(c)
		return a.h.clientIP(c)
	}
	f.Fuzz(func(t *testing.T, header, forged string) {
		if strings.ContainsAny(header+forged, "\r\x00") || strings.ContainsAny(forged, "\n") {
			return
		}
		lines := strings.Split(header, "\n")
		got := clientIP(t, lines)
		addr, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("client %q is not an address", got)
		}
		named := map[string]bool{"10.0.0.1": true}
		for _, hop := range strings.FieldsFunc(header, func(r rune) bool { return r == ',' || r == '\n' }) {
			hop = strings.TrimSpace(hop)
			if host, _, err := net.SplitHostPort(hop); err == nil {
				hop = host
			}
			if ip, err := netip.ParseAddr(hop); err == nil {
				named[ip.Unmap().String()] = true
			}
		}
		if !named[got] {
			t.Fatalf("client %s is neither the connection's nor in the lines %q", got, lines)
		}
		if a.h.proxies.trusts(addr) {
			return
		}
		if again := clientIP(t, append([]string{forged}, lines...)); again != got {
			t.Fatalf("a line %q before %q turns client %s into %s", forged, lines, got, again)
		}
	})
}
