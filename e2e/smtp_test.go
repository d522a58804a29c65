package e2e

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

// A real SMTP submission server in the test process, on 127.0.0.1, over
// TLS from the first byte (smtps), with a certificate made for the test and
// AUTH PLAIN required: what the app's mailer meets in production, short of
// the internet. (The same pattern as monitor/mail_server_test.go.)

const (
	smtpUser = "mailer"
	smtpPass = "s3cret"
)

// mail is one message the server accepted.
type mail struct {
	from, to string
	data     []byte
}

type smtpServer struct {
	addr      string
	clientTLS *tls.Config // trusts the server's certificate, and only it

	mu   sync.Mutex
	msgs []mail
}

// startSMTPS serves SMTP over TLS on a free port until the test ends.
func startSMTPS(t *testing.T) *smtpServer {
	t.Helper()
	cert, clientTLS := selfSignedCert(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &smtpServer{addr: l.Addr().String(), clientTLS: clientTLS}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("test SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() {
		s.Close()
		l.Close()
		<-done
	})
	return ts
}

// selfSignedCert makes a certificate for 127.0.0.1 and a client config that
// trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "pcmt e2e SMTP"},
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

// mailer is the app's [Mailer] section pointed at the server.
func (ts *smtpServer) mailer() config.Mailer {
	host, port, _ := net.SplitHostPort(ts.addr)
	p, _ := strconv.Atoi(port)
	return config.Mailer{Enabled: true, Protocol: "smtps", SMTPHost: host, SMTPPort: p,
		AuthUsername: smtpUser, AuthPassword: smtpPass, From: "pcmt <noreply@pcmt.example>",
		SubjectPrefix: "[pcmt]"}
}

// waitMail waits for the server to have accepted n messages and returns
// them.
func (ts *smtpServer) waitMail(t *testing.T, n int, within time.Duration) []mail {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ts.mu.Lock()
		got := append([]mail(nil), ts.msgs...)
		ts.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mail(s) after %v, want %d", len(got), within, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewSession implements smtp.Backend.
func (ts *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{ts: ts}, nil }

// smtpSession requires AUTH PLAIN before MAIL FROM, like a submission server.
type smtpSession struct {
	ts       *smtpServer
	authed   bool
	from, to string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != smtpUser || password != smtpPass || (identity != "" && identity != username) {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	s.ts.msgs = append(s.ts.msgs, mail{from: s.from, to: s.to, data: b})
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", "" }
func (s *smtpSession) Logout() error { return nil }
