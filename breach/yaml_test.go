package breach

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/apperr"
)

// recorder keeps what ParseYAML reports, one string per call, so that
// tests compare order as well as content.
type recorder struct {
	events []string
	metas  []Meta
}

func (r *recorder) Record(k Kind, v []byte, line int64) error {
	r.events = append(r.events, fmt.Sprintf("%d %s %q", line, k, v))
	return nil
}

func (r *recorder) Skip(k Kind, line int64) {
	r.events = append(r.events, fmt.Sprintf("%d %s skip", line, k))
}

func (r *recorder) Document(doc int, m Meta) error {
	r.events = append(r.events, fmt.Sprintf("doc %d %s", doc, m.Name))
	r.metas = append(r.metas, m)
	return nil
}

func parseString(t *testing.T, s string) (*recorder, error) {
	t.Helper()
	r := &recorder{}
	err := ParseYAML(strings.NewReader(s), "f.yaml", r)
	return r, err
}

const thesisExample = `---
name: Horrible breach
time: 2022-04-23T00:00:00Z+02:00
isVerified: false
containsPasswds: false
containsHashes: true
containsEmails: true
hashType: md5
hashSalted: false
hashPeppered: false
data:
hashes:
- hash1
- hash2
- hash3
emails:
- email1
-
- email3
---
# document #2, describing another breach.
name: Horrible breach 2
...
`

func TestThesisExampleParses(t *testing.T) {
	r, err := parseString(t, thesisExample)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`13 hashes "hash1"`, `14 hashes "hash2"`, `15 hashes "hash3"`,
		`17 emails "email1"`, `18 emails skip`, `19 emails "email3"`,
		"doc 1 Horrible breach", "doc 2 Horrible breach 2",
	}
	if got := strings.Join(r.events, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	m := r.metas[0]
	wantTime := time.Date(2022, 4, 22, 22, 0, 0, 0, time.UTC)
	if !m.Time.Equal(wantTime) || !m.ContainsHashes || !m.ContainsEmails || m.IsVerified || m.HashType != "md5" {
		t.Fatalf("meta %+v", m)
	}
}

const specExample = "\ufeff---\n" + `name: Horrible breach        # required, unique
time: 2022-04-23   # a date alone
isVerified: yes
containsHashes: true
hashType: MD5
description: >
  optional
  free text
data:
  hashes: [hash1, 'ha''sh2']
  emails: [email1, null, "email3",
     ~, "e\u00e9", '' ,]   # null / empty entries are skipped, counted
  usernames: []
  passwords:
    - "p # 1"  # comment
    - 'x: y'
    - a:b
    - 42
    - ~
    - null
    # comment
    - p a s s  
    -   spaced
containsUsernames: false
`

func TestSpecFormsParse(t *testing.T) {
	r, err := parseString(t, strings.ReplaceAll(specExample, "\n", "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`11 hashes "hash1"`, `11 hashes "ha'sh2"`,
		`12 emails "email1"`, `12 emails skip`, `12 emails "email3"`, `13 emails skip`, `13 emails "eé"`, `13 emails skip`,
		`16 passwords "p # 1"`, `17 passwords "x: y"`, `18 passwords "a:b"`, `19 passwords "42"`,
		`20 passwords skip`, `21 passwords skip`, `23 passwords "p a s s"`, `24 passwords "spaced"`,
		"doc 1 Horrible breach",
	}
	if got := strings.Join(r.events, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	m := r.metas[0]
	if m.HashType != "md5" || !m.IsVerified || m.Description != "optional free text\n" || !m.Time.Equal(time.Date(2022, 4, 23, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("meta %+v", m)
	}
}

func TestMetadataAfterDataAndInlineData(t *testing.T) {
	r, err := parseString(t, "data: {emails: [a@b.c, ~], hashes: []}\nname: x\n---\nemails:\n  - q\nname: y\ndescription: \"two\n  lines\"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := `1 emails "a@b.c"|1 emails skip|doc 1 x|5 emails "q"|doc 2 y`
	if got := strings.Join(r.events, "|"); got != want {
		t.Fatalf("got %s", got)
	}
	if r.metas[1].Description != "two lines" {
		t.Fatalf("description %q", r.metas[1].Description)
	}
}

func TestYAMLErrorsNameDocumentAndLine(t *testing.T) {
	three := "name: a\n---\nname: b\n---\nname: c\n"
	for _, tc := range []struct {
		in        string
		doc       int
		line      int64
		msgHas    string
		docsSoFar int
	}{
		{three + "isVerified: maybe\n", 3, 6, `isVerified: "maybe" is not a boolean`, 2},
		{"name: a\nfoo: 1\n", 1, 2, `unknown key "foo"`, 0},
		{"isVerified: true\n", 1, 1, "name is required", 0},
		{"name: a\ndata: 5\n", 1, 2, "data: must be a mapping", 0},
		{"name: a\nemails: {a: b}\n", 1, 2, "emails: must be a list", 0},
		{"name: a\nemails:\n  - [x]\n", 1, 3, "emails: an entry", 0},
		{"name: a\nemails:\n  - a: b\n", 1, 3, "is a map", 0},
		{"name: a\nemails:\n  - a\n    b\n", 1, 4, "more than one line", 0},
		{"name: a\nemails: [a, [b]]\n", 1, 2, "not a plain value", 0},
		{"name: a\nemails: [a,\n b\n", 1, 2, "']' is missing", 0},
		{"name: a\nname: b\n", 1, 2, "given twice", 0},
		{"name: a\ntime: yesterday\n", 1, 2, "time:", 0},
		{"name: [a]\n", 1, 1, "name: must be text", 0},
		{"name: a\n...\nname: b\n", 1, 3, "must start with '---'", 1},
		{"name: a\ndata:\n  emails:\n    - x\n  phones:\n", 1, 5, `data: unknown key "phones"`, 0},
		{"name: a\nemails:\n  - 'x\n", 1, 3, "close on its line", 0},
		{"name: a\nemails:\n  - x\rb\n", 1, 3, "carriage return", 0},
	} {
		r, err := parseString(t, tc.in)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%q: error %v, want a ParseError", tc.in, err)
			continue
		}
		if pe.Document != tc.doc || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msgHas) || pe.File != "f.yaml" {
			t.Errorf("%q: got %+v, want document %d line %d with %q", tc.in, pe, tc.doc, tc.line, tc.msgHas)
		}
		if len(r.metas) != tc.docsSoFar {
			t.Errorf("%q: %d documents reported before the error, want %d", tc.in, len(r.metas), tc.docsSoFar)
		}
	}
}

func TestParseErrorText(t *testing.T) {
	e := &ParseError{File: "x.yaml", Document: 3, Line: 7, Msg: "bad"}
	if e.Error() != "x.yaml: document 3, line 7: bad" {
		t.Fatal(e.Error())
	}
	e = &ParseError{File: "x.txt", Line: 7, Msg: "bad"}
	if e.Error() != "x.txt: line 7: bad" {
		t.Fatal(e.Error())
	}
}

// failingHandler stops at the first record, to check that the handler's
// error comes back unchanged.
type failingHandler struct{ recorder }

var errStop = errors.New("stop")

func (f *failingHandler) Record(Kind, []byte, int64) error { return errStop }

func TestHandlerErrorIsReturnedUnchanged(t *testing.T) {
	err := ParseYAML(strings.NewReader("name: a\nemails: [x]\n"), "f", &failingHandler{})
	if err != errStop { //nolint:errorlint // unchanged is the point
		t.Fatalf("got %v", err)
	}
}

func TestEmptyDocumentsAreSkipped(t *testing.T) {
	r, err := parseString(t, "# only a comment\n---\n---\nname: a\n---\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.events, "|"); got != "doc 2 a" {
		t.Fatalf("got %s", got)
	}
	if r2, err := parseString(t, ""); err != nil || len(r2.events) != 0 {
		t.Fatalf("empty input: %v %v", r2.events, err)
	}
}

// streamReader produces a document with n e-mail entries without holding
// it, to check that ParseYAML streams.
type streamReader struct {
	n, i int
	head []byte
	buf  []byte
}

func (s *streamReader) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	for len(s.buf) < len(p) && s.i < s.n {
		s.buf = append(s.buf, "  - user"...)
		s.buf = strconv.AppendInt(s.buf, int64(s.i), 10)
		s.buf = append(s.buf, "@example.com\n"...)
		s.i++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	return n, nil
}

type counter struct{ records, docs int }

func (c *counter) Record(Kind, []byte, int64) error { c.records++; return nil }
func (c *counter) Skip(Kind, int64)                 {}
func (c *counter) Document(int, Meta) error         { c.docs++; return nil }

func TestLargeListStreams(t *testing.T) {
	const n = 200_000
	c := &counter{}
	allocs := testing.AllocsPerRun(1, func() {
		*c = counter{}
		r := &streamReader{n: n, head: []byte("name: big\ndata:\n emails:\n")}
		if err := ParseYAML(r, "big.yaml", c); err != nil {
			t.Fatal(err)
		}
	})
	if c.records != n || c.docs != 1 {
		t.Fatalf("%+v", c)
	}
	// Far fewer allocations than entries: nothing is kept per entry.
	if allocs > 1000 {
		t.Fatalf("%v allocations for %d entries", allocs, n)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2022-04-23T00:00:00Z":        time.Date(2022, 4, 23, 0, 0, 0, 0, time.UTC),
		"2022-04-23":                  time.Date(2022, 4, 23, 0, 0, 0, 0, time.UTC),
		"2022-04-23T00:00:00Z+02:00":  time.Date(2022, 4, 22, 22, 0, 0, 0, time.UTC),
		"2022-04-23T10:30:00.5-01:00": time.Date(2022, 4, 23, 11, 30, 0, 5e8, time.UTC),
	} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"yesterday", "2022-13-01", "2022-04-23Z+02:00", "Z+02:00"} {
		if _, err := ParseTime(in); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s: got %v", in, err)
		}
	}
}

func TestListLayouts(t *testing.T) {
	for _, in := range []string{
		"name: a\ndata:\n  emails:\n  - x\n  - y\n  hashes:\n    - h\n",
		"name: a\ndata:\n    emails: [x,\n      y]   # two\n    hashes: [h]\n",
		"emails:\n- x\n- y\nhashes:\n  - h\nname: a\n",
		"name: a\nemails:\n  - 'x'\n  - \"y\"\nhashes: [\"h\"]\nusernames: ~\npasswords: []\n",
	} {
		r, err := parseString(t, in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var vals []string
		for _, e := range r.events {
			vals = append(vals, e[strings.IndexByte(e, ' ')+1:])
		}
		if got := strings.Join(vals, "|"); !strings.Contains(got, `emails "x"|emails "y"`) || !strings.Contains(got, `hashes "h"`) || !strings.HasSuffix(got, "1 a") {
			t.Fatalf("%q: got %s", in, got)
		}
	}
}
