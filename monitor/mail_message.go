package monitor

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidMessage refuses a message that cannot be sent as it is: an
// address that does not parse, or a line break in a header, which would let
// its text add headers of its own. Retrying does not help.
var ErrInvalidMessage = errors.New("monitor: invalid message")

// Message is one e-mail to one recipient.
type Message struct {
	To      string // a bare address: "alice@example.org"
	Subject string // without the configured prefix; any characters but CR and LF
	Text    string // the text/plain body, always sent
	HTML    string // the text/html alternative; "" or ignored under SendPlainText
}

// parseAddress parses one address, refusing line breaks before net/mail
// sees them: they are never part of an address.
func parseAddress(field, s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: line break in %s", ErrInvalidMessage, field)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidMessage, field, err)
	}
	return a, nil
}

// envelope is a message ready for the SMTP conversation.
type envelope struct {
	from, to string // bare addresses for MAIL FROM and RCPT TO
	data     []byte // the RFC 5322 message, CRLF line ends
}

// compose builds msg from the sender from with the subject prefix; plain
// leaves out the HTML part.
func compose(from *mail.Address, prefix string, plain bool, msg Message, now time.Time) (envelope, error) {
	to, err := parseAddress("To", msg.To)
	if err != nil {
		return envelope{}, err
	}
	if strings.ContainsAny(msg.Subject, "\r\n") || strings.ContainsAny(prefix, "\r\n") {
		return envelope{}, fmt.Errorf("%w: line break in Subject", ErrInvalidMessage)
	}
	subject := msg.Subject
	if prefix != "" {
		subject = prefix + " " + subject
	}
	id, err := messageID(from.Address)
	if err != nil {
		return envelope{}, err
	}

	var b bytes.Buffer
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", to.String())
	writeHeader(&b, "Subject", encodeHeaderValue(subject))
	writeHeader(&b, "Date", now.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", id)
	writeHeader(&b, "MIME-Version", "1.0")
	if plain || msg.HTML == "" {
		writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
		writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, msg.Text); err != nil {
			return envelope{}, err
		}
		return envelope{from: from.Address, to: to.Address, data: b.Bytes()}, nil
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ typ, text string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err == nil {
			err = writeQP(w, p.text)
		}
		if err != nil {
			return envelope{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return envelope{}, err
	}
	writeHeader(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return envelope{from: from.Address, to: to.Address, data: b.Bytes()}, nil
}

// writeQP writes text quoted-printable with CRLF line ends, whatever line
// ends it came with, so no bare CR or LF reaches the wire. (The CRLF that
// ends the message or part is the SMTP client's or the boundary's.)
func writeQP(w interface{ Write([]byte) (int, error) }, text string) error {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(text)); err != nil {
		return err
	}
	return qp.Close()
}

// writeHeader writes one header field folded at spaces near 78 columns.
// Values hold no CR or LF (callers check or encode), so folding is the only
// line break a header gets.
func writeHeader(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(":")
	col := len(name) + 1
	for i, word := range strings.Split(value, " ") {
		if i > 0 && word != "" && col+1+len(word) > 78 && col > len(name)+1 {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteString(" ")
		b.WriteString(word)
		col += 1 + len(word)
	}
	b.WriteString("\r\n")
}

// encodedWordBytes is the most input one base64 encoded-word carries:
// "=?utf-8?b?" + 60 characters + "?=" is 72, within RFC 2047's 75.
const encodedWordBytes = 45

// encodeHeaderValue makes s safe for an unstructured header (RFC 2047): kept
// as it is when it is printable ASCII that no decoder would take for an
// encoded word, otherwise UTF-8 base64 encoded words split between whole
// characters. The result is printable ASCII, without CR or LF.
func encodeHeaderValue(s string) string {
	plain := !strings.Contains(s, "=?")
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= ' ' && s[i] <= '~'
	}
	if plain {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > encodedWordBytes {
				break
			}
			n += size
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("=?utf-8?b?")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		b.WriteString("?=")
		s = s[n:]
	}
	return b.String()
}

// messageID makes a unique Message-ID in the sender's domain.
func messageID(from string) (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("monitor: message id: %w", err)
	}
	domain := "localhost"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">", nil
}
