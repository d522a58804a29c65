package server

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"pcmt/config"
)

const testDomain = "pcmt.example"

// autoTLSConfig turns on AutoTLS for testDomain, with the database in a
// subdirectory of a fresh temporary directory.
func autoTLSConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.HTTP.AutoTLS = true
	cfg.HTTP.Domain = testDomain
	cfg.Database.Path = filepath.Join(t.TempDir(), "data", "pcmt.db")
	return cfg
}

// fakeACME points m at an ACME directory on 127.0.0.1 that answers 404 to
// everything, and counts the requests it gets: any request autocert makes
// ends there instead of at Let's Encrypt.
func fakeACME(t *testing.T, m *autocert.Manager) *atomic.Int64 {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.NotFound(w, nil)
	}))
	t.Cleanup(srv.Close)
	m.Client = &acme.Client{DirectoryURL: srv.URL + "/directory", HTTPClient: srv.Client()}
	return &hits
}

func TestAutocertDir(t *testing.T) {
	cfg := autoTLSConfig(t)
	want := filepath.Join(filepath.Dir(cfg.Database.Path), "autocert")
	if got := AutocertDir(cfg); got != want {
		t.Errorf("AutocertDir = %q, want %q", got, want)
	}
	dir, ok := newAutocertManager(cfg).Cache.(autocert.DirCache)
	if !ok || string(dir) != want {
		t.Errorf("manager cache = %#v, want autocert.DirCache(%q)", newAutocertManager(cfg).Cache, want)
	}
}

func TestAutocertTLSConfig(t *testing.T) {
	conf := autocertTLSConfig(newAutocertManager(autoTLSConfig(t)))
	if conf.MinVersion < tls.VersionTLS12 {
		t.Errorf("MinVersion %s, want TLS 1.2 or later", tls.VersionName(conf.MinVersion))
	}
	if conf.GetCertificate == nil {
		t.Error("GetCertificate is nil, want the manager's")
	}
	// fasthttp has no HTTP/2; tls-alpn-01 challenges need acme-tls/1.
	if slices.Contains(conf.NextProtos, "h2") {
		t.Errorf("NextProtos %q offers h2", conf.NextProtos)
	}
	for _, p := range []string{"http/1.1", acme.ALPNProto} {
		if !slices.Contains(conf.NextProtos, p) {
			t.Errorf("NextProtos %q lacks %s", conf.NextProtos, p)
		}
	}
}

// The host policy turns away every name but HTTP.Domain before autocert
// looks at its cache or calls Let's Encrypt (autocert.go, GetCertificate:
// m.hostPolicy() runs before m.cert and m.createCert).
func TestAutocertHostPolicy(t *testing.T) {
	cfg := autoTLSConfig(t)
	m := newAutocertManager(cfg)
	hits := fakeACME(t, m)

	for _, name := range []string{"evil.example", "sub." + testDomain, testDomain + ".evil.example", "127.0.0.1"} {
		t.Run(name, func(t *testing.T) {
			_, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
			want := "host " + strconv.Quote(name) + " not configured in HostWhitelist"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("GetCertificate(%q): error %v, want %q", name, err, want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("refused names made %d ACME requests, want none", n)
	}
	if _, err := os.Stat(AutocertDir(cfg)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("cache directory touched for refused names: stat: %v", err)
	}

	// The allowed name does go to the ACME server, which shows the counter
	// above would have seen a request; the account key lands in the cache
	// beside the database.
	if _, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: testDomain}); err == nil {
		t.Fatal("GetCertificate for the domain succeeded against a directory that answers 404")
	}
	if hits.Load() == 0 {
		t.Fatal("the allowed name made no ACME request: the counter is not wired")
	}
	if _, err := os.Stat(filepath.Join(AutocertDir(cfg), "acme_account+key")); err != nil {
		t.Fatalf("account key not cached in AutocertDir: %v", err)
	}
}

// cacheCert stores c in the autocert cache as the certificate of domain, in
// the layout autocert writes: the private key, then the chain.
func cacheCert(t *testing.T, cfg *config.Config, domain string, c testCert) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})...)
	cacheFile(t, cfg, domain, data)
}

func cacheFile(t *testing.T, cfg *config.Config, name string, data []byte) {
	t.Helper()
	dir := AutocertDir(cfg)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The whole AutoTLS server, without the network: a certificate already in
// the cache is served, other names are refused, and the plain-HTTP listener
// answers ACME http-01 challenges itself and redirects everything else.
func TestAutoTLSServer(t *testing.T) {
	cfg := autoTLSConfig(t)
	cert := newTestCert(t, []string{testDomain}, nil)
	cacheCert(t, cfg, testDomain, cert)
	cacheFile(t, cfg, "tok123+http-01", []byte("tok123.thumbprint"))

	s := newServer(t, cfg, echoApp())
	hits := fakeACME(t, s.autocert)
	run(t, s)
	mainPort := strconv.Itoa(port(t, s.Addr()))

	t.Run("serves the cached certificate", func(t *testing.T) {
		resp, body := get(t, browserClient(t, cert.Pool, testDomain), http.MethodGet, s.URL()+"/hello?x=1", "")
		if resp.StatusCode != http.StatusOK || body != "https /hello?x=1" {
			t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "https /hello?x=1")
		}
		if resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("negotiated %s, want TLS 1.2 or later", tls.VersionName(resp.TLS.Version))
		}
		if resp.Proto != "HTTP/1.1" {
			t.Errorf("protocol %s with a client offering h2, want HTTP/1.1", resp.Proto)
		}
	})

	t.Run("refuses other names", func(t *testing.T) {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: safety}, "tcp", s.Addr().String(),
			&tls.Config{ServerName: "evil.example", InsecureSkipVerify: true}) //nolint:gosec // the handshake must fail whatever the client accepts
		if err == nil {
			conn.Close()
			t.Fatal("handshake for evil.example succeeded")
		}
	})

	redirURL := "http://" + s.RedirectAddr().String()
	tests := []struct {
		name, path, host string
		status           int
		body, location   string
	}{
		{
			name: "known challenge token", path: "/.well-known/acme-challenge/tok123", host: testDomain,
			status: http.StatusOK, body: "tok123.thumbprint",
		},
		{
			name: "unknown challenge token", path: "/.well-known/acme-challenge/x", host: testDomain,
			status: http.StatusNotFound,
		},
		{
			name: "challenge for another host", path: "/.well-known/acme-challenge/tok123", host: "evil.example",
			status: http.StatusForbidden,
		},
		{
			name: "other path", path: "/search?q=a%20b", host: testDomain,
			status: http.StatusMovedPermanently, location: "https://" + testDomain + ":" + mainPort + "/search?q=a%20b",
		},
		{
			name: "other path, other host", path: "/", host: "evil.example",
			status: http.StatusMovedPermanently, location: "https://" + testDomain + ":" + mainPort + "/",
		},
	}
	c := client(t, nil, "")
	for _, tt := range tests {
		t.Run("redirect listener: "+tt.name, func(t *testing.T) {
			resp, body := get(t, c, http.MethodGet, redirURL+tt.path, tt.host)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if tt.body != "" && body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
		})
	}

	if n := hits.Load(); n != 0 {
		t.Errorf("the server made %d ACME requests, want none", n)
	}
}
