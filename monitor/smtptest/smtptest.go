// Package smtptest runs a real SMTP submission server inside the test
// process, on 127.0.0.1, with a certificate made for the test and AUTH PLAIN
// required before MAIL FROM: what the app's mailer meets in production,
// short of the internet.
package smtptest

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

// The credentials the server accepts.
const (
	User     = "mailer"
	Password = "s3cret"
)

// Mode is how the server offers TLS.
type Mode int

// The modes a server can run in.
const (
	SMTPS      Mode = iota // TLS from the first byte
	STARTTLS               // plain at first, offering STARTTLS
	NoSTARTTLS             // no TLS at all
)

// Message is one message the server accepted.
type Message struct {
	From, To string
	Data     []byte
}

// Server is a running test SMTP server.
type Server struct {
	addr      string
	clientTLS *tls.Config // trusts the server's certificate, and only it

	mu      sync.Mutex
	msgs    []Message
	authed  int // successful AUTH PLAIN exchanges
	refused int
}

// Start serves SMTP in mode on a free port of 127.0.0.1 until the test ends.
func Start(t testing.TB, mode Mode) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return Serve(t, l, mode)
}

// Serve serves SMTP in mode on l until the test ends.
func Serve(t testing.TB, l net.Listener, mode Mode) *Server {
	t.Helper()
	cert, clientTLS := selfSigned(t)
	ts := &Server{addr: l.Addr().String(), clientTLS: clientTLS}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.AllowInsecureAuth = false
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	s.ErrorLog = logger{t}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch mode {
	case SMTPS:
		l = tls.NewListener(l, serverTLS)
	case STARTTLS:
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

// selfSigned makes a certificate for 127.0.0.1 and a client config that
// trusts it (and only it).
func selfSigned(t testing.TB) (tls.Certificate, *tls.Config) {
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

type logger struct{ t testing.TB }

func (l logger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l logger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

// Addr is the server's host:port.
func (ts *Server) Addr() string { return ts.addr }

// Port is the server's TCP port.
func (ts *Server) Port() int {
	_, port, _ := net.SplitHostPort(ts.addr)
	p, _ := strconv.Atoi(port)
	return p
}

// ClientTLS is a client config that trusts the server's certificate, and
// only it.
func (ts *Server) ClientTLS() *tls.Config { return ts.clientTLS.Clone() }

// Mailer is an enabled [config.Mailer] pointed at the server, speaking
// protocol ("smtps" or "starttls") with the server's credentials.
func (ts *Server) Mailer(protocol string) config.Mailer { return MailerAt(ts.addr, protocol) }

// MailerAt is what [Server.Mailer] gives for a server at addr (host:port),
// for addresses where nothing listens yet.
func MailerAt(addr, protocol string) config.Mailer {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return config.Mailer{Enabled: true, Protocol: protocol, SMTPHost: host, SMTPPort: p,
		AuthUsername: User, AuthPassword: Password, From: "pcmt <noreply@pcmt.example>",
		SubjectPrefix: "[pcmt]"}
}

// Messages returns the messages accepted so far, oldest first.
func (ts *Server) Messages() []Message {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Message(nil), ts.msgs...)
}

// Logins counts the AUTH exchanges accepted and refused.
func (ts *Server) Logins() (ok, refused int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.authed, ts.refused
}

// WaitMessages waits up to within for the server to have accepted n
// messages and returns them, failing the test at the deadline.
func (ts *Server) WaitMessages(t testing.TB, n int, within time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := ts.Messages()
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
func (ts *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{ts: ts}, nil }

// session requires AUTH PLAIN before MAIL FROM, like a submission server.
type session struct {
	ts       *Server
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.ts.mu.Lock()
		defer s.ts.mu.Unlock()
		if username != User || password != Password || (identity != "" && identity != username) {
			s.ts.refused++
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
	s.ts.msgs = append(s.ts.msgs, Message{From: s.from, To: s.to, Data: b})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", "" }
func (s *session) Logout() error { return nil }
