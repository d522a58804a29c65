package routes

import (
	"net/http/httptest"
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, func(c *config.Config) { c.HTTP.TrustedProxies = tc.proxies })
			fctx := newRequestCtx(t, "GET", "/", tc.remote)
			if tc.xff != "" {
				fctx.Request.Header.Set("X-Forwarded-For", tc.xff)
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
