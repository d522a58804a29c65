package server

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"pcmt/config"
)

func TestServeTLSFromFiles(t *testing.T) {
	cert := newLocalCert(t)
	s := newServer(t, withTLS(testConfig(t), cert), echoApp())
	run(t, s)
	p := strconv.Itoa(port(t, s.Addr()))
	if want := "https://127.0.0.1:" + p; s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}

	tests := []struct {
		name       string
		serverName string // the name the certificate is checked against
		offerH2    bool
	}{
		{name: "by IP address", serverName: ""},
		{name: "by host name", serverName: "localhost"},
		{name: "browser offering h2", serverName: "localhost", offerH2: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, cert.Pool, tt.serverName, tt.offerH2)
			resp, body := get(t, c, http.MethodGet, s.URL()+"/hello?x=1", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
				t.Fatalf("TLS state %+v, want TLS 1.2 or later", resp.TLS)
			}
			// fasthttp speaks HTTP/1.1 only: the server must not pick h2.
			if resp.Proto != "HTTP/1.1" {
				t.Errorf("protocol %s, want HTTP/1.1", resp.Proto)
			}
			if want := "https /hello?x=1"; body != want {
				t.Errorf("body %q, want %q", body, want)
			}
		})
	}
}

func TestTLSVersionFloor(t *testing.T) {
	cert := newLocalCert(t)
	s := newServer(t, withTLS(testConfig(t), cert), echoApp())
	run(t, s)

	tests := []struct {
		name    string
		max     uint16
		wantErr bool
	}{
		{name: "TLS 1.0", max: tls.VersionTLS10, wantErr: true},
		{name: "TLS 1.1", max: tls.VersionTLS11, wantErr: true},
		{name: "TLS 1.2", max: tls.VersionTLS12},
		{name: "TLS 1.3", max: tls.VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: safety}, "tcp", s.Addr().String(), &tls.Config{
				RootCAs:    cert.Pool,
				ServerName: "localhost",
				MinVersion: tls.VersionTLS10,
				MaxVersion: tt.max,
			})
			if tt.wantErr {
				if err == nil {
					v := conn.ConnectionState().Version
					conn.Close()
					t.Fatalf("handshake succeeded with %s, want it refused", tls.VersionName(v))
				}
				// The server's refusal, not a client that cannot speak it.
				if !strings.Contains(err.Error(), "remote error: tls: protocol version") {
					t.Fatalf("handshake: %v, want a protocol version alert", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			if v := conn.ConnectionState().Version; v != tt.max {
				t.Errorf("negotiated %s, want %s", tls.VersionName(v), tls.VersionName(tt.max))
			}
		})
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	cert := newLocalCert(t)
	s := newServer(t, withTLS(testConfig(t), cert), echoApp())
	run(t, s)
	if s.RedirectAddr() == nil {
		t.Fatal("RedirectAddr() = nil, want the plain-HTTP listener")
	}
	mainPort := strconv.Itoa(port(t, s.Addr()))
	redirURL := "http://" + s.RedirectAddr().String()

	tests := []struct {
		name   string
		method string
		target string // path and query
		host   string // Host header; empty: the redirect listener's address
		want   string
	}{
		{
			name: "root", method: http.MethodGet, target: "/",
			want: "https://127.0.0.1:" + mainPort + "/",
		},
		{
			name: "path and query kept", method: http.MethodGet, target: "/search?q=a%20b&page=2",
			want: "https://127.0.0.1:" + mainPort + "/search?q=a%20b&page=2",
		},
		{
			name: "escaped path kept", method: http.MethodGet, target: "/breaches/a%2Fb",
			want: "https://127.0.0.1:" + mainPort + "/breaches/a%2Fb",
		},
		{
			name: "host name from the request", method: http.MethodGet, target: "/dashboard",
			host: "localhost:" + strconv.Itoa(port(t, s.RedirectAddr())),
			want: "https://localhost:" + mainPort + "/dashboard",
		},
		{
			name: "host without port", method: http.MethodGet, target: "/x",
			host: "pcmt.example",
			want: "https://pcmt.example:" + mainPort + "/x",
		},
		{
			name: "POST too", method: http.MethodPost, target: "/signin?next=%2Fdashboard",
			want: "https://127.0.0.1:" + mainPort + "/signin?next=%2Fdashboard",
		},
	}
	c := client(t, nil, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := get(t, c, tt.method, redirURL+tt.target, tt.host)
			if resp.StatusCode != http.StatusMovedPermanently {
				t.Errorf("status %d, want 301", resp.StatusCode)
			}
			if got := resp.Header.Get("Location"); got != tt.want {
				t.Errorf("Location %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("followed, lands on the app over TLS", func(t *testing.T) {
		c := client(t, cert.Pool, "")
		c.CheckRedirect = nil
		resp, body := get(t, c, http.MethodGet, redirURL+"/hello?x=1", "")
		if resp.StatusCode != http.StatusOK || body != "https /hello?x=1" {
			t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "https /hello?x=1")
		}
		if resp.Request.URL.Scheme != "https" {
			t.Errorf("final URL %s, want https", resp.Request.URL)
		}
	})
}

func TestRedirectToDomain(t *testing.T) {
	cert := newLocalCert(t)
	cfg := withTLS(testConfig(t), cert)
	cfg.HTTP.Domain = "pcmt.example"
	s := newServer(t, cfg, echoApp())
	run(t, s)

	// The configured domain wins over whatever Host the client sent.
	resp, _ := get(t, client(t, nil, ""), http.MethodGet, "http://"+s.RedirectAddr().String()+"/a?b=c", "evil.example")
	want := "https://pcmt.example:" + strconv.Itoa(port(t, s.Addr())) + "/a?b=c"
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Fatalf("got %d Location %q, want 301 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

func TestPlainHTTPHasNoRedirectListener(t *testing.T) {
	s := newServer(t, testConfig(t), echoApp())
	run(t, s)
	if a := s.RedirectAddr(); a != nil {
		t.Errorf("RedirectAddr() = %v, want nil without TLS", a)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT", s.URL())
	}
	resp, body := get(t, client(t, nil, ""), http.MethodGet, s.URL()+"/hello", "")
	if resp.StatusCode != http.StatusOK || body != "http /hello" {
		t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "http /hello")
	}
}

func TestNewErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := port(t, busy.Addr())
	busyAddr := "127.0.0.1:" + strconv.Itoa(busyPort)
	cert := newLocalCert(t)

	tests := []struct {
		name  string
		setup func(*config.Config)
		want  string
	}{
		{
			name:  "main port taken",
			setup: func(c *config.Config) { c.Port = busyPort },
			want:  "server: listen on " + busyAddr + ": ",
		},
		{
			name: "main port taken, TLS",
			setup: func(c *config.Config) {
				withTLS(c, cert)
				c.Port = busyPort
			},
			want: "server: listen on " + busyAddr + ": ",
		},
		{
			name: "redirect port taken",
			setup: func(c *config.Config) {
				withTLS(c, cert)
				c.HTTP.RedirectPort = busyPort
			},
			want: "server: listen on " + busyAddr + " for the HTTPS redirect: ",
		},
		{
			name: "certificate file missing",
			setup: func(c *config.Config) {
				withTLS(c, cert)
				c.HTTP.TLSCertPath += ".missing"
			},
			want: "server: HTTP.TLSCertPath/HTTP.TLSKeyPath: ",
		},
		{
			name: "certificate and key swapped",
			setup: func(c *config.Config) {
				c.HTTP.TLSCertPath, c.HTTP.TLSKeyPath = cert.KeyPath, cert.CertPath
			},
			want: "server: HTTP.TLSCertPath/HTTP.TLSKeyPath: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.setup(cfg)
			s, err := New(cfg, echoApp(), testLogger(t))
			if err == nil {
				run(t, s)
				t.Fatalf("New succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A second server on the port of a running one fails and names the address.
func TestSecondServerOnSamePort(t *testing.T) {
	first := newServer(t, testConfig(t), echoApp())
	run(t, first)
	cfg := testConfig(t)
	cfg.Port = port(t, first.Addr())
	_, err := New(cfg, echoApp(), testLogger(t))
	want := "listen on 127.0.0.1:" + strconv.Itoa(cfg.Port)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("New on a busy port: error %v, want it to contain %q", err, want)
	}
}

// When the redirect port is taken, New closes the main listener it had
// already opened.
func TestNewReleasesMainListenerOnRedirectError(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mainPort := port(t, free.Addr())
	free.Close()

	cfg := withTLS(testConfig(t), newLocalCert(t))
	cfg.Port = mainPort
	cfg.HTTP.RedirectPort = port(t, busy.Addr())
	if _, err := New(cfg, echoApp(), testLogger(t)); err == nil {
		t.Fatal("New succeeded with the redirect port taken")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(mainPort)))
	if err != nil {
		t.Fatalf("main port still held after New failed: %v", err)
	}
	ln.Close()
}

func TestRedirectHandler(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		port   int
		host   string // the request's Host header
		target string
		want   string
	}{
		{name: "default port left out", port: 443, host: "pcmt.example", target: "/a?b=c", want: "https://pcmt.example/a?b=c"},
		{name: "request port replaced", port: 443, host: "pcmt.example:80", target: "/", want: "https://pcmt.example/"},
		{name: "other port kept", port: 8443, host: "pcmt.example:8080", target: "/", want: "https://pcmt.example:8443/"},
		{name: "domain wins", domain: "pcmt.example", port: 443, host: "evil.example", target: "/x", want: "https://pcmt.example/x"},
		{name: "IPv6 with port", port: 8443, host: "[::1]:8080", target: "/", want: "https://[::1]:8443/"},
		{name: "IPv6 without port", port: 8443, host: "[::1]", target: "/", want: "https://[::1]:8443/"},
		{name: "IPv6 on 443", port: 443, host: "[::1]:80", target: "/", want: "https://[::1]/"},
		{name: "query escaping kept", port: 443, host: "h.example", target: "/search?q=%C3%A9+x&y=%26", want: "https://h.example/search?q=%C3%A9+x&y=%26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			redirectHandler(tt.domain, tt.port).ServeHTTP(rec, req)
			if rec.Code != http.StatusMovedPermanently {
				t.Errorf("status %d, want 301", rec.Code)
			}
			if got := rec.Header().Get("Location"); got != tt.want {
				t.Errorf("Location %q, want %q", got, tt.want)
			}
		})
	}
}
