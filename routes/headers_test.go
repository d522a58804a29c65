package routes

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pcmt/config"
)

// specHeaders are the headers the SPEC puts on every response.
var specHeaders = map[string]string{
	"Content-Security-Policy":      config.DefaultCSP,
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"X-Frame-Options":              "DENY",
}

func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	a := newTestApp(t, nil)
	css := a.h.assets.Current().URL("app.css")
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"landing", httptest.NewRequest("GET", "/", nil), 200},
		{"sign-in page", httptest.NewRequest("GET", "/signin", nil), 200},
		{"static hashed", httptest.NewRequest("GET", css, nil), 200},
		{"static plain", httptest.NewRequest("GET", "/static/app.css", nil), 200},
		{"static missing", httptest.NewRequest("GET", "/static/nope.js", nil), 404},
		{"health", httptest.NewRequest("GET", "/healthz", nil), 200},
		{"ready", httptest.NewRequest("GET", "/readyz", nil), 200},
		{"not found", httptest.NewRequest("GET", "/no/such/page", nil), 404},
		{"wrong method", httptest.NewRequest("DELETE", "/signin", nil), 403},
		{"post without csrf", httptest.NewRequest("POST", "/signin", nil), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := a.do(tc.req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			checkSecurityHeaders(t, resp)
		})
	}
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	for name, want := range specHeaders {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if pp := resp.Header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
		t.Errorf("Permissions-Policy = %q", pp)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS over plain HTTP: %q", hsts)
	}
}

// TestOversizedBodyOverTheWire sends bodies past HTTP.BodyLimit to a real
// listener, announced by Content-Length or chunked: the app streams request
// bodies (for uploads), and every other route must still refuse them with a
// 413 page carrying every header, without reading them whole.
func TestOversizedBodyOverTheWire(t *testing.T) {
	a := newTestApp(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.app.Listener(ln) }()
	t.Cleanup(func() { _ = a.app.Shutdown() })
	limit := int(config.Default().HTTP.BodyLimit)

	for _, tc := range []struct {
		name string
		head string
		body []byte
	}{
		// fasthttp reads the first 8 KiB of a streamed body before the
		// app sees it; send only that, so that the client is not cut off
		// mid-write when the server answers and closes.
		{"content-length", fmt.Sprintf("Content-Length: %d\r\n", limit+1), bytes.Repeat([]byte("a"), 8<<10)},
		// A chunked body has no length to judge by: the server reads one
		// byte past the limit, all that is sent here (with the chunk's
		// CRLF), and stops.
		{"chunked", "Transfer-Encoding: chunked\r\n",
			append(append([]byte(fmt.Sprintf("%x\r\n", limit+1)), bytes.Repeat([]byte("a"), limit+1)...), "\r\n"...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			go func() {
				fmt.Fprintf(conn, "POST /signin HTTP/1.1\r\nHost: pcmt.test\r\nContent-Type: application/x-www-form-urlencoded\r\n%s\r\n", tc.head)
				_, _ = conn.Write(tc.body)
			}()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			checkSecurityHeaders(t, resp)
			if !strings.Contains(string(body), "larger than this server accepts") {
				t.Fatalf("413 body: %.300s", body)
			}
		})
	}

	// A chunked body within the limit is read as usual: here, refused for
	// its missing CSRF token, not for its size.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "POST /signin HTTP/1.1\r\nHost: pcmt.test\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuser=\r\n3\r\nbob\r\n0\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("small chunked body: status %d, want 403", resp.StatusCode)
	}
}

func TestHSTSBehindTLSProxy(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) { c.HTTP.Secure = true })
	resp, _ := a.get("/")
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
		t.Fatalf("HSTS = %q", got)
	}
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		csrf = c
	}
	if csrf == nil || csrf.Name != "__Host-pcmt_csrf" || !csrf.Secure || !csrf.HttpOnly || csrf.Path != "/" || csrf.Domain != "" {
		t.Fatalf("CSRF cookie behind TLS: %+v", csrf)
	}
}

func TestPagesAreNotCached(t *testing.T) {
	a := newTestApp(t, nil)
	for _, path := range []string{"/", "/signin", "/nope"} {
		resp, _ := a.get(path)
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, got)
		}
	}
}
