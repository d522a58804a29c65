package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/config"
)

// safety bounds a wait that only a bug would make long.
const safety = 10 * time.Second

// testCert is a self-signed certificate written to disk, with the pool a
// client needs to trust it.
type testCert struct {
	CertPath, KeyPath string
	Pool              *x509.CertPool
	der               []byte
	key               *ecdsa.PrivateKey
}

// newTestCert creates a self-signed ECDSA P-256 certificate for the given
// DNS names and IP addresses and writes it as PEM files into a fresh
// temporary directory.
func newTestCert(t *testing.T, dnsNames []string, ips []net.IP) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "pcmt test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              dnsNames,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := testCert{
		CertPath: filepath.Join(dir, "cert.pem"),
		KeyPath:  filepath.Join(dir, "key.pem"),
		Pool:     x509.NewCertPool(),
		der:      der,
		key:      key,
	}
	c.Pool.AddCert(leaf)
	writePEM(t, c.CertPath, "CERTIFICATE", der)
	writePEM(t, c.KeyPath, "PRIVATE KEY", keyDER)
	return c
}

// newLocalCert is a certificate for 127.0.0.1 and localhost.
func newLocalCert(t *testing.T) testCert {
	t.Helper()
	return newTestCert(t, []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// testConfig is the default configuration bound to 127.0.0.1 on ports the
// system picks, with the database in a temporary directory.
func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Host = "127.0.0.1"
	cfg.Port = 0
	cfg.HTTP.RedirectPort = 0
	cfg.HTTP.RateLimit = 0
	cfg.Database.Path = filepath.Join(t.TempDir(), "pcmt.db")
	return &cfg
}

// withTLS sets the certificate files of c on cfg.
func withTLS(cfg *config.Config, c testCert) *config.Config {
	cfg.HTTP.TLSCertPath = c.CertPath
	cfg.HTTP.TLSKeyPath = c.KeyPath
	return cfg
}

// testLogger writes to the test's output, shown when the test fails. An
// ERROR record fails the test unless it contains one of allowed: the app
// logs one only for a bug, or for a failure the test provokes.
func testLogger(t *testing.T, allowed ...string) *slog.Logger {
	t.Helper()
	w := &errorWatch{}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
	next:
		for _, e := range w.errs {
			for _, a := range allowed {
				if strings.Contains(e, a) {
					continue next
				}
			}
			t.Errorf("the app logged an error: %s", e)
		}
	})
	h := slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(errorWatchHandler{Handler: h, w: w})
}

// errorWatch keeps the ERROR records a logger handled, as their message
// and attributes.
type errorWatch struct {
	mu   sync.Mutex
	errs []string
}

type errorWatchHandler struct {
	slog.Handler
	w     *errorWatch
	attrs []slog.Attr
}

func (h errorWatchHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		var b strings.Builder
		b.WriteString(r.Message)
		add := func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		}
		for _, a := range h.attrs {
			add(a)
		}
		r.Attrs(add)
		h.w.mu.Lock()
		h.w.errs = append(h.w.errs, b.String())
		h.w.mu.Unlock()
	}
	return h.Handler.Handle(ctx, r)
}

func (h errorWatchHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return errorWatchHandler{Handler: h.Handler.WithAttrs(attrs), w: h.w, attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h errorWatchHandler) WithGroup(name string) slog.Handler {
	return errorWatchHandler{Handler: h.Handler.WithGroup(name), w: h.w, attrs: h.attrs}
}

// echoApp answers every GET with the scheme, path and query it was asked.
func echoApp() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		return c.SendString(c.Protocol() + " " + string(c.Request().URI().RequestURI()))
	})
	return app
}

// newServer validates cfg and opens the server's listeners.
func newServer(t *testing.T, cfg *config.Config, app *fiber.App) *Server {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	s, err := New(cfg, app, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// run serves s until stop is called or the test ends. stop cancels the
// context and returns what Run returned; the test fails if Run has not
// returned within the safety bound.
func run(t *testing.T, s *Server) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var (
		once sync.Once
		err  error
	)
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(safety):
				err = errors.New("Run did not return after the context ended")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return stop
}

// port is the TCP port of addr.
func port(t *testing.T, addr net.Addr) int {
	t.Helper()
	a, ok := addr.(*net.TCPAddr)
	if !ok {
		t.Fatalf("address %v is not TCP", addr)
	}
	return a.Port
}

// client makes requests without following redirects, trusting pool for
// HTTPS (nil: the system roots) and checking the certificate against
// serverName (empty: the host in the URL). It offers only HTTP/1.1.
func client(t *testing.T, pool *x509.CertPool, serverName string) *http.Client {
	t.Helper()
	return newClient(t, pool, serverName, false)
}

// browserClient is client offering h2 before http/1.1 over TLS, as browsers
// do.
func browserClient(t *testing.T, pool *x509.CertPool, serverName string) *http.Client {
	t.Helper()
	return newClient(t, pool, serverName, true)
}

func newClient(t *testing.T, pool *x509.CertPool, serverName string, h2 bool) *http.Client {
	t.Helper()
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: serverName},
		ForceAttemptHTTP2: h2,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       safety,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// get fetches url with the given Host header (empty: the URL's) and returns
// the response with its body read.
func get(t *testing.T, c *http.Client, method, url, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, string(body)
}

// assertRefused fails the test unless a TCP connection to addr is refused.
func assertRefused(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, safety)
	if err == nil {
		conn.Close()
		t.Fatalf("dial %s: connected, want the connection refused", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v, want the connection refused", addr, err)
	}
}
