package monitor_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"pcmt/config"
)

// A real SMTP server in the test process, on 127.0.0.1, with a certificate
// made for the test.

const (
	testUser = "mailer"
	testPass = "s3cret"
)

// received is one message the test server accepted.
type received struct {
	from, to string
	data     []byte
}

type testServer struct {
	addr      string
	clientTLS *tls.Config // trusts the server's certificate

	mu       sync.Mutex
	msgs     []received
	authed   int // successful AUTH PLAIN exchanges
	badLogin int
}

type serverMode int

const (
	modeSMTPS    serverMode = iota // TLS from the first byte
	modeSTARTTLS                   // offers STARTTLS
	modePlain                      // no TLS at all
)

// selfSigned makes a certificate for 127.0.0.1 and a client config that
// trusts it (and only it).
func selfSigned(t *testing.T) (tls.Certificate, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "pcmt test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// startServer serves SMTP on a free port until the test ends.
func startServer(t *testing.T, mode serverMode) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, l, mode)
}

// serveOn serves SMTP on l until the test ends.
func serveOn(t *testing.T, l net.Listener, mode serverMode) *testServer {
	t.Helper()
	cert, clientTLS := selfSigned(t)
	ts := &testServer{addr: l.Addr().String(), clientTLS: clientTLS}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.AllowInsecureAuth = false
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	s.ErrorLog = testLogger{t}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch mode {
	case modeSMTPS:
		l = tls.NewListener(l, serverTLS)
	case modeSTARTTLS:
		s.TLSConfig = serverTLS
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("test SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() {
		s.Close()
		l.Close() // in case Serve had not started when Close ran
		<-done
	})
	return ts
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

// config is an enabled mailer pointed at the server.
func (ts *testServer) config(protocol string) config.Mailer {
	host, port, _ := net.SplitHostPort(ts.addr)
	p, _ := strconv.Atoi(port)
	return config.Mailer{Enabled: true, Protocol: protocol, SMTPHost: host, SMTPPort: p,
		AuthUsername: testUser, AuthPassword: testPass, From: "pcmt <noreply@pcmt.example>",
		SubjectPrefix: "[pcmt]"}
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

// logins counts the AUTH exchanges accepted and refused.
func (ts *testServer) logins() (ok, refused int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.authed, ts.badLogin
}

// NewSession implements smtp.Backend.
func (ts *testServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{ts: ts}, nil }

// session requires AUTH PLAIN before MAIL FROM, like a submission server.
type session struct {
	ts       *testServer
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.ts.mu.Lock()
		defer s.ts.mu.Unlock()
		if username != testUser || password != testPass || (identity != "" && identity != username) {
			s.ts.badLogin++
			return errors.New("invalid credentials")
		}
		s.ts.authed++
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	s.ts.msgs = append(s.ts.msgs, received{from: s.from, to: s.to, data: b})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", "" }
func (s *session) Logout() error { return nil }
