package monitor_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/monitor"
	"pcmt/monitor/smtptest"
)

var testNow = time.Date(2026, 11, 23, 16, 30, 0, 0, time.UTC)

// newMailer is a mailer for cfg that trusts the server's certificate.
func newMailer(t *testing.T, ts *smtptest.Server, cfg config.Mailer) *monitor.Mailer {
	t.Helper()
	return newMailerTLS(t, ts.ClientTLS(), cfg)
}

// newMailerTLS is a mailer for cfg that verifies the server with clientTLS.
func newMailerTLS(t *testing.T, clientTLS *tls.Config, cfg config.Mailer) *monitor.Mailer {
	t.Helper()
	m, err := monitor.NewMailer(cfg, monitor.WithTLSConfig(clientTLS),
		monitor.WithMailClock(func() time.Time { return testNow }), monitor.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// part is one decoded text part of a received message.
type part struct{ contentType, body string }

// parseReceived checks the wire form and returns the headers and text parts.
func parseReceived(t *testing.T, data []byte) (mail.Header, []part) {
	t.Helper()
	if i := bytes.IndexByte(bytes.ReplaceAll(data, []byte("\r\n"), nil), '\n'); i >= 0 {
		t.Fatalf("bare LF in the message at byte %d:\n%s", i, data)
	}
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\r")) {
		t.Fatalf("bare CR in the message:\n%s", data)
	}
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d bytes", len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mt == "text/plain" {
		return msg.Header, []part{{mt, readQP(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)}}
	}
	if mt != "multipart/alternative" {
		t.Fatalf("Content-Type %s", mt)
	}
	var parts []part
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pp["charset"] != "utf-8" {
			t.Fatalf("part %s charset %q", pt, pp["charset"])
		}
		parts = append(parts, part{pt, readQP(t, p.Header.Get("Content-Transfer-Encoding"), p)})
	}
	return msg.Header, parts
}

func readQP(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSendDeliversOverTLS(t *testing.T) {
	// A subject long enough to be folded, with characters beyond ASCII.
	subject := "Ihre Adresse ist in einem neuen Datenleck aufgetaucht – bitte ändern Sie Ihr Passwort für „Example“"
	text := "Hello,\nyour address is in the breach \"Example\".\n.\nA line that starts with a dot, and é.\n"
	html := "<p>Hello,</p>\n<p>your address is in <b>Example</b>.</p>"
	for _, tc := range []struct {
		name      string
		mode      smtptest.Mode
		protocol  string
		plainText bool
		html      string
		wantParts []string
	}{
		{"smtps html", smtptest.SMTPS, monitor.ProtocolSMTPS, false, html, []string{"text/plain", "text/html"}},
		{"starttls html", smtptest.STARTTLS, monitor.ProtocolSTARTTLS, false, html, []string{"text/plain", "text/html"}},
		{"smtps SendPlainText", smtptest.SMTPS, monitor.ProtocolSMTPS, true, html, []string{"text/plain"}},
		{"starttls no html", smtptest.STARTTLS, monitor.ProtocolSTARTTLS, false, "", []string{"text/plain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := smtptest.Start(t, tc.mode)
			cfg := ts.Mailer(tc.protocol)
			cfg.SendPlainText = tc.plainText
			m := newMailer(t, ts, cfg)
			err := m.Send(context.Background(), monitor.Message{To: "alice@example.org", Subject: subject, Text: text, HTML: tc.html})
			if err != nil {
				t.Fatal(err)
			}
			got := ts.Messages()
			if ok, _ := ts.Logins(); len(got) != 1 || ok != 1 {
				t.Fatalf("server got %d messages after %d logins", len(got), ok)
			}
			if got[0].From != "noreply@pcmt.example" || got[0].To != "alice@example.org" {
				t.Fatalf("envelope %q → %q", got[0].From, got[0].To)
			}
			h, parts := parseReceived(t, got[0].Data)
			var dec mime.WordDecoder
			if s, err := dec.DecodeHeader(h.Get("Subject")); err != nil || s != "[pcmt] "+subject {
				t.Fatalf("Subject %q (%v)", s, err)
			}
			if from, err := h.AddressList("From"); err != nil || from[0].Name != "pcmt" || from[0].Address != "noreply@pcmt.example" {
				t.Fatalf("From %q (%v)", h.Get("From"), err)
			}
			if to, err := h.AddressList("To"); err != nil || to[0].Address != "alice@example.org" {
				t.Fatalf("To %q (%v)", h.Get("To"), err)
			}
			if d, err := h.Date(); err != nil || !d.Equal(testNow) {
				t.Fatalf("Date %q (%v)", h.Get("Date"), err)
			}
			if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@pcmt.example>") {
				t.Fatalf("Message-ID %q", id)
			}
			if h.Get("MIME-Version") != "1.0" {
				t.Fatalf("MIME-Version %q", h.Get("MIME-Version"))
			}
			if len(parts) != len(tc.wantParts) {
				t.Fatalf("parts %+v, want %v", parts, tc.wantParts)
			}
			for i, p := range parts {
				want := strings.ReplaceAll(text, "\n", "\r\n")
				if p.contentType == "text/html" {
					want = strings.ReplaceAll(tc.html, "\n", "\r\n")
				}
				if p.contentType != tc.wantParts[i] || p.body != want {
					t.Fatalf("part %d: %s %q, want %s %q", i, p.contentType, p.body, tc.wantParts[i], want)
				}
			}
		})
	}
}

func TestSTARTTLSIsRequired(t *testing.T) {
	ts := smtptest.Start(t, smtptest.NoSTARTTLS)
	m := newMailer(t, ts, ts.Mailer(monitor.ProtocolSTARTTLS))
	err := m.Send(context.Background(), monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"})
	if !errors.Is(err, monitor.ErrNoStartTLS) {
		t.Fatalf("Send without STARTTLS: %v, want ErrNoStartTLS", err)
	}
	// Without a password too: the mail itself must not travel in clear.
	cfg := ts.Mailer(monitor.ProtocolSTARTTLS)
	cfg.AuthUsername = ""
	err = newMailer(t, ts, cfg).Send(context.Background(), monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"})
	if !errors.Is(err, monitor.ErrNoStartTLS) {
		t.Fatalf("Send without STARTTLS or AUTH: %v, want ErrNoStartTLS", err)
	}
	if ok, refused := ts.Logins(); len(ts.Messages()) != 0 || ok+refused != 0 {
		t.Fatalf("server got %d messages and %d logins in clear", len(ts.Messages()), ok+refused)
	}
}

func TestSendRefusesBadServersAndLogins(t *testing.T) {
	msg := monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"}
	t.Run("untrusted certificate", func(t *testing.T) {
		ts := smtptest.Start(t, smtptest.SMTPS)
		m, err := monitor.NewMailer(ts.Mailer(monitor.ProtocolSMTPS), monitor.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), msg); err == nil || len(ts.Messages()) != 0 {
			t.Fatalf("sent to a server with a self-signed certificate: %v", err)
		}
	})
	t.Run("smtps to a plain server", func(t *testing.T) {
		ts := smtptest.Start(t, smtptest.NoSTARTTLS)
		if err := newMailer(t, ts, ts.Mailer(monitor.ProtocolSMTPS)).Send(context.Background(), msg); err == nil {
			t.Fatal("smtps spoke to a server without TLS")
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		ts := smtptest.Start(t, smtptest.STARTTLS)
		cfg := ts.Mailer(monitor.ProtocolSTARTTLS)
		cfg.AuthPassword = "wrong"
		err := newMailer(t, ts, cfg).Send(context.Background(), msg)
		if _, refused := ts.Logins(); err == nil || len(ts.Messages()) != 0 || refused != 1 {
			t.Fatalf("wrong password: %v, %d messages, %d refused logins", err, len(ts.Messages()), refused)
		}
	})
	t.Run("no login", func(t *testing.T) {
		ts := smtptest.Start(t, smtptest.SMTPS)
		cfg := ts.Mailer(monitor.ProtocolSMTPS)
		cfg.AuthUsername = ""
		if err := newMailer(t, ts, cfg).Send(context.Background(), msg); err == nil || len(ts.Messages()) != 0 {
			t.Fatalf("server that wants AUTH took mail without: %v", err)
		}
	})
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	ts := smtptest.Start(t, smtptest.SMTPS)
	m := newMailer(t, ts, ts.Mailer(monitor.ProtocolSMTPS))
	for _, msg := range []monitor.Message{
		{To: "alice@example.org\r\nBcc: eve@example.org", Subject: "s", Text: "t"},
		{To: "alice@example.org\nBcc: eve@example.org", Subject: "s", Text: "t"},
		{To: "alice@example.org", Subject: "s\r\nBcc: eve@example.org", Text: "t"},
		{To: "alice@example.org", Subject: "s\rX-Evil: 1", Text: "t"},
		{To: "alice@example.org", Subject: "s\nX-Evil: 1", Text: "t"},
		{To: "not an address", Subject: "s", Text: "t"},
	} {
		if err := m.Send(context.Background(), msg); !errors.Is(err, monitor.ErrInvalidMessage) {
			t.Errorf("Send(%q, %q) = %v, want ErrInvalidMessage", msg.To, msg.Subject, err)
		}
		if err := m.Check(msg); !errors.Is(err, monitor.ErrInvalidMessage) {
			t.Errorf("Check(%q, %q) = %v, want ErrInvalidMessage", msg.To, msg.Subject, err)
		}
	}
	if n := len(ts.Messages()); n != 0 {
		t.Fatalf("server got %d messages", n)
	}
	for _, cfg := range []func(*config.Mailer){
		func(c *config.Mailer) { c.From = "noreply@pcmt.example\r\nBcc: eve@example.org" },
		func(c *config.Mailer) { c.From = "nobody" },
		func(c *config.Mailer) { c.Protocol = "none" },
		func(c *config.Mailer) { c.SMTPHost = "" },
	} {
		c := ts.Mailer(monitor.ProtocolSMTPS)
		cfg(&c)
		if _, err := monitor.NewMailer(c); err == nil {
			t.Errorf("NewMailer accepted %+v", c)
		}
	}
	// The subject prefix is configuration, and is checked as well.
	c := ts.Mailer(monitor.ProtocolSMTPS)
	c.SubjectPrefix = "[pcmt]\r\nBcc: eve@example.org"
	if err := newMailer(t, ts, c).Send(context.Background(), monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"}); !errors.Is(err, monitor.ErrInvalidMessage) {
		t.Errorf("prefix with a line break: %v", err)
	}
}

func TestDisabledMailerSendsNothing(t *testing.T) {
	m, err := monitor.NewMailer(config.Mailer{Protocol: "whatever"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Enabled() {
		t.Fatal("disabled mailer says it is enabled")
	}
	if err := m.Send(context.Background(), monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"}); !errors.Is(err, monitor.ErrMailerDisabled) {
		t.Fatalf("Send = %v, want ErrMailerDisabled", err)
	}
}
