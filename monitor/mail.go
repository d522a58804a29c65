// Package monitor tells users about their exposures: the mail outbox and
// the SMTP sender that delivers it.
package monitor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"time"

	"pcmt/config"
)

// Errors of the sender. ErrNoStartTLS is kept apart from a network failure:
// it means the server (or something between) will not encrypt, and the
// mailer never falls back to sending in clear.
var (
	ErrMailerDisabled = errors.New("monitor: mailer disabled")
	ErrNoStartTLS     = errors.New("monitor: SMTP server does not offer STARTTLS")
)

// The protocols of config.Mailer.Protocol. Both encrypt before any
// credentials or mail are sent; there is no clear-text mode.
const (
	ProtocolSMTPS    = "smtps"    // TLS from the first byte, port 465
	ProtocolSTARTTLS = "starttls" // plain greeting, then STARTTLS, required; port 587
)

// Mailer sends mail through the configured SMTP server, one connection per
// message.
type Mailer struct {
	cfg     config.Mailer
	from    *mail.Address
	tls     *tls.Config
	now     func() time.Time
	timeout time.Duration
	hello   string
}

// MailerOption changes a Mailer's defaults.
type MailerOption func(*Mailer)

// WithTLSConfig sets the TLS settings for the server's certificate (tests
// trust their own); ServerName defaults to the SMTP host. Without it the
// system roots verify the server.
func WithTLSConfig(c *tls.Config) MailerOption {
	return func(m *Mailer) { m.tls = c.Clone() }
}

// WithMailClock sets the clock that dates messages.
func WithMailClock(now func() time.Time) MailerOption {
	return func(m *Mailer) { m.now = now }
}

// WithTimeout bounds one message's whole SMTP conversation, when the context
// does not end sooner (default 30 s).
func WithTimeout(d time.Duration) MailerOption {
	return func(m *Mailer) { m.timeout = d }
}

// WithHelloName sets the name given in EHLO (default "localhost").
func WithHelloName(name string) MailerOption {
	return func(m *Mailer) { m.hello = name }
}

// NewMailer builds the sender of cfg. A disabled mailer is valid and refuses
// every message with ErrMailerDisabled; an enabled one needs a known
// protocol, a host and a From address.
func NewMailer(cfg config.Mailer, opts ...MailerOption) (*Mailer, error) {
	m := &Mailer{cfg: cfg, now: time.Now, timeout: 30 * time.Second, hello: "localhost"}
	for _, o := range opts {
		o(m)
	}
	if m.tls == nil {
		m.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if m.tls.ServerName == "" {
		m.tls.ServerName = cfg.SMTPHost
	}
	if !cfg.Enabled {
		return m, nil
	}
	if cfg.Protocol != ProtocolSMTPS && cfg.Protocol != ProtocolSTARTTLS {
		return nil, fmt.Errorf("monitor: mailer protocol %q: want %s or %s", cfg.Protocol, ProtocolSMTPS, ProtocolSTARTTLS)
	}
	if cfg.SMTPHost == "" || cfg.SMTPPort <= 0 || cfg.SMTPPort > 65535 {
		return nil, fmt.Errorf("monitor: mailer server %q port %d", cfg.SMTPHost, cfg.SMTPPort)
	}
	from, err := parseAddress("From", cfg.From)
	if err != nil {
		return nil, fmt.Errorf("monitor: mailer: %w", err)
	}
	m.from = from
	return m, nil
}

// Enabled says whether the mailer sends at all.
func (m *Mailer) Enabled() bool { return m.cfg.Enabled }

// Check builds msg without sending it: ErrInvalidMessage when it could never
// be sent. A disabled mailer checks the recipient and subject only.
func (m *Mailer) Check(msg Message) error {
	from := m.from
	if from == nil {
		from = &mail.Address{Address: "check@localhost"}
	}
	_, err := compose(from, m.cfg.SubjectPrefix, m.cfg.SendPlainText, msg, m.now())
	return err
}

// Send delivers msg: connect, encrypt (smtps or a required STARTTLS),
// authenticate with AUTH PLAIN when a user name is set, and hand the
// message over. A nil error means the server accepted it.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	if !m.cfg.Enabled {
		return ErrMailerDisabled
	}
	env, err := compose(m.from, m.cfg.SubjectPrefix, m.cfg.SendPlainText, msg, m.now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	c, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := m.deliver(c, env); err != nil {
		return fmt.Errorf("monitor: send mail: %w", err)
	}
	return nil
}

// dial connects and brings the connection to TLS, the context bounding it
// all (net/smtp has no contexts of its own: the deadline and a close on
// cancellation stand in).
func (m *Mailer) dial(ctx context.Context) (*smtp.Client, error) {
	addr := net.JoinHostPort(m.cfg.SMTPHost, strconv.Itoa(m.cfg.SMTPPort))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("monitor: connect to mail server: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(op string, err error) (*smtp.Client, error) {
		stop()
		conn.Close()
		return nil, fmt.Errorf("monitor: %s: %w", op, err)
	}
	if m.cfg.Protocol == ProtocolSMTPS {
		tc := tls.Client(conn, m.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("mail server TLS", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, m.cfg.SMTPHost)
	if err != nil {
		return fail("mail server greeting", err)
	}
	if err := c.Hello(m.hello); err != nil {
		return fail("EHLO", err)
	}
	if m.cfg.Protocol == ProtocolSTARTTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail("mail server", ErrNoStartTLS)
		}
		if err := c.StartTLS(m.tls); err != nil {
			return fail("STARTTLS", err)
		}
	}
	if _, ok := c.TLSConnectionState(); !ok {
		return fail("mail server", errors.New("connection not encrypted"))
	}
	return c, nil
}

// deliver runs the mail transaction on an encrypted connection.
func (m *Mailer) deliver(c *smtp.Client, env envelope) error {
	if m.cfg.AuthUsername != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.AuthUsername, m.cfg.AuthPassword, m.cfg.SMTPHost)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(env.to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(env.data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The server has the message once DATA ends well; a failed QUIT does
	// not make it a failure (a retry would send it twice).
	_ = c.Quit()
	return nil
}
