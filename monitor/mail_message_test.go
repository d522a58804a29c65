package monitor

import (
	"bytes"
	"mime"
	"strings"
	"testing"
)

func FuzzHeaderValue(f *testing.F) {
	for _, s := range []string{"", "plain ASCII", "Größe", "=?utf-8?q?not_encoded?=", "a\r\nBcc: x",
		"\x00\x7f\xff", strings.Repeat("日本語", 40), " leading and trailing ", "tab\there"} {
		f.Add(s)
	}
	var dec mime.WordDecoder
	f.Fuzz(func(t *testing.T, s string) {
		enc := encodeHeaderValue(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; c == '\r' || c == '\n' || (c < ' ' && c != '\t') || c > '~' {
				t.Fatalf("encodeHeaderValue(%q) = %q: byte %#x", s, enc, c)
			}
		}
		got, err := dec.DecodeHeader(enc)
		if err != nil || got != s {
			t.Fatalf("decode(%q) = %q, %v; want %q", enc, got, err, s)
		}
		for _, w := range strings.Fields(enc) {
			if strings.HasPrefix(w, "=?") && len(w) > 75 {
				t.Fatalf("encoded word of %d characters: %q", len(w), w)
			}
		}
		// Folded into a header, it unfolds (RFC 5322: delete each CRLF) to
		// the same, and no line is only white space.
		var b bytes.Buffer
		writeHeader(&b, "Subject", enc)
		folded := strings.TrimSuffix(b.String(), "\r\n")
		if got := strings.ReplaceAll(folded, "\r\n", ""); got != "Subject: "+enc {
			t.Fatalf("%q unfolds to %q", enc, got)
		}
		for _, line := range strings.Split(folded, "\r\n") {
			if strings.TrimSpace(line) == "" || len(line) > 998 {
				t.Fatalf("folded %q has line %q", enc, line)
			}
		}
	})
}

func TestWriteHeaderFolds(t *testing.T) {
	var b bytes.Buffer
	long := strings.Repeat("word ", 40) + "end"
	writeHeader(&b, "Subject", long)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("not folded: %q", b.String())
	}
	for i, l := range lines {
		if len(l) > 78 || (i > 0 && !strings.HasPrefix(l, " ")) {
			t.Fatalf("line %d %q", i, l)
		}
	}
	if got := strings.ReplaceAll(strings.TrimPrefix(b.String(), "Subject: "), "\r\n", ""); got != long {
		t.Fatalf("unfolded %q", got)
	}
}
