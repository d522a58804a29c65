package breach

import (
	"errors"
	"strings"
	"testing"

	"pcmt/apperr"
)

func TestKindAndFormatNames(t *testing.T) {
	for _, k := range []Kind{Emails, Usernames, Passwords, Hashes} {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Fatalf("%s: %v %v", k, got, err)
		}
	}
	_, err := ParseKind("phones")
	if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), `"phones"`) || !strings.Contains(err.Error(), "emails, usernames, passwords, hashes") {
		t.Fatalf("got %v", err)
	}
	for _, f := range []Format{FormatYAML, FormatLines, FormatPwned} {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := ParseFormat("csv"); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{thesisExample, FormatYAML},
		{"\ufeff# breach\n\nname: x\n", FormatYAML},
		{"emails:\n- a\n", FormatYAML},
		{"--- # first\nname: x\n", FormatYAML},
		{sha1A + ":3\r\n" + sha1B + ":1\r\n", FormatPwned},
		{ntlmA + ":3\n", FormatPwned},
		{sha1A + ":3\nhunter2\n", FormatLines},
		{"a@example.com\nb@example.com\n", FormatLines},
		{"hunter2\npassword: 1\n", FormatLines},
		{"", FormatLines},
		// A sample cut in the middle of a line still reads as Pwned.
		{sha1A + ":3\n" + sha1B[:10], FormatPwned},
	} {
		if got := Sniff([]byte(tc.in)); got != tc.want {
			t.Errorf("%.40q: got %s want %s", tc.in, got, tc.want)
		}
	}
}

func TestGuessKind(t *testing.T) {
	for _, tc := range []struct {
		in    string
		kind  Kind
		share float64
	}{
		{"a@example.com\nb.c@mail.example.org\r\n\n", Emails, 1},
		{"a@example.com\nbob\nc@d.ee\nzed@x.io\n", Emails, 0.75},
		{"alice\nbob_99\nc.d-e\nhunter 2\n", Usernames, 0.75},
		{"pass word\nhunter2!\nbob\n", Passwords, 2.0 / 3},
		{"", Passwords, 0},
		{"a@b\n", Passwords, 1}, // no dot in the domain: not an e-mail, and '@' is no username
	} {
		k, share := GuessKind([]byte(tc.in))
		if k != tc.kind || share != tc.share {
			t.Errorf("%q: got %s %v want %s %v", tc.in, k, share, tc.kind, tc.share)
		}
	}
}

func FuzzSniff(f *testing.F) {
	for _, s := range []string{thesisExample, sha1A + ":1\n", "a@b.cd\n", "x\ny\n", "# c\n---\n", "name:x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := Sniff(in)
		if got != FormatYAML && got != FormatLines && got != FormatPwned {
			t.Fatalf("format %q", got)
		}
		if got == FormatPwned {
			// The first line must have the shape the Pwned reader accepts;
			// only a count too large for 64 bits can still fail it.
			p := NewPwnedReader(strings.NewReader(string(in)), "f")
			if _, _, err := p.Next(); err != nil && !strings.Contains(err.Error(), "too large") {
				t.Fatalf("sniffed as pwned but the reader says %v", err)
			}
		}
		// Sniffing is about the start: what follows a full sample's
		// first lines cannot turn YAML into something else.
		if got == FormatYAML && Sniff(append(append([]byte{}, in...), "\nzzz"...)) != FormatYAML {
			t.Fatal("appending changed a YAML verdict")
		}
		k, share := GuessKind(in)
		if k < Emails || k > Passwords || share < 0 || share > 1 {
			t.Fatalf("guess %s %v", k, share)
		}
	})
}
