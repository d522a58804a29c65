package breach

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"pcmt/apperr"
)

const (
	sha1A = "000000005AD76BD555C1D6D771DE417A4B87E4B4"
	sha1B = "00000000a8dae4228f821fb418f59826079bf368"
	ntlmA = "00000000000C1DFF4D1BB8A4DA5F7BBA"
)

type pwnedValue struct {
	hex   string
	count uint64
	line  int64
}

func readPwned(in string, offset, line int64) ([]pwnedValue, *PwnedReader, error) {
	p := NewPwnedReader(strings.NewReader(in), "pwned.txt")
	p.SetPosition(offset, line)
	var out []pwnedValue
	for {
		d, n, err := p.Next()
		if err == io.EOF {
			return out, p, nil
		}
		if err != nil {
			return out, p, err
		}
		out = append(out, pwnedValue{hex.EncodeToString(d), n, p.Line()})
	}
}

func TestPwnedReader(t *testing.T) {
	for _, in := range []string{
		sha1A + ":4\r\n" + sha1B + ":18446744073709551615\r\n",
		sha1A + ":4\n\n" + sha1B + ":18446744073709551615",
	} {
		got, p, err := readPwned(in, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].hex != strings.ToLower(sha1A) || got[0].count != 4 || got[0].line != 1 ||
			got[1].hex != sha1B || got[1].count != 1<<64-1 || p.Size() != SHA1Size || p.Offset() != int64(len(in)) {
			t.Fatalf("%q: got %+v size %d offset %d", in, got, p.Size(), p.Offset())
		}
	}
	got, p, err := readPwned(ntlmA+":7\n", 0, 0)
	if err != nil || len(got) != 1 || got[0].count != 7 || p.Size() != NTLMSize {
		t.Fatalf("ntlm: %+v %v", got, err)
	}
}

func TestPwnedErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int64
		msg  string
	}{
		{sha1A + ":1\n" + ntlmA + ":2\n", 2, "in a file of 40-hex-digit"},
		{sha1A + ":1\n" + strings.Replace(sha1B, "a", "g", 1) + ":2\n", 2, "not a hex digit"},
		{sha1A + "\n", 1, "no ':'"},
		{sha1A + ":\n", 1, "no count"},
		{sha1A + ":12x\n", 1, "not a number"},
		{sha1A + ":1:2\n", 1, "more than two fields"},
		{sha1A + ":18446744073709551616\n", 1, "too large"},
		{"abc:1\n", 1, "want 40 hex digits"},
		{sha1A + ":1\n" + strings.Repeat("1", 70000) + "\n", 2, "longer than"},
	} {
		_, _, err := readPwned(tc.in, 0, 0)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, apperr.ErrInvalid) || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("%.50q: got %v, want line %d %q", tc.in, err, tc.line, tc.msg)
		}
	}
}

func TestPwnedSetPositionResumes(t *testing.T) {
	lines := []string{sha1A + ":1\r\n", "\n", sha1B + ":2\n", strings.ToUpper(sha1B) + ":3\r\n", sha1A + ":4"}
	in := strings.Join(lines, "")
	all, _, err := readPwned(in, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k := range len(lines) {
		offset := int64(len(strings.Join(lines[:k], "")))
		got, p, err := readPwned(in[offset:], offset, int64(k))
		if err != nil {
			t.Fatal(err)
		}
		var tail []pwnedValue
		for _, v := range all {
			if v.line > int64(k) {
				tail = append(tail, v)
			}
		}
		if len(got) != len(tail) || p.Offset() != int64(len(in)) {
			t.Fatalf("from line %d: got %+v want %+v", k, got, tail)
		}
		for i := range tail {
			if got[i] != tail[i] {
				t.Fatalf("from line %d: got %+v want %+v", k, got, tail)
			}
		}
	}
	// Offset after each line is the length of the lines so far.
	p := NewPwnedReader(strings.NewReader(in), "x")
	p.SetPosition(100, 0)
	for _, want := range []int64{1, 3, 4, 5} {
		if _, _, err := p.Next(); err != nil {
			t.Fatal(err)
		}
		if p.Line() != want || p.Offset() != 100+int64(len(strings.Join(lines[:want], ""))) {
			t.Fatalf("line %d offset %d", p.Line(), p.Offset())
		}
	}
}

func TestPwnedDoesNotAllocatePerLine(t *testing.T) {
	in := bytes.Repeat([]byte(sha1A+":12345\n"), 10000)
	allocs := testing.AllocsPerRun(3, func() {
		p := NewPwnedReader(bytes.NewReader(in), "x")
		for {
			if _, _, err := p.Next(); err != nil {
				break
			}
		}
	})
	if allocs > 10 {
		t.Fatalf("%v allocations", allocs)
	}
}

func FuzzPwned(f *testing.F) {
	for _, s := range []string{sha1A + ":1\n" + sha1B + ":2\r\n", ntlmA + ":3", "\n\n" + sha1A + ":0\n", sha1A + ":1\n" + ntlmA + ":2\n", "x:1", sha1A + ":99999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p := NewPwnedReader(bytes.NewReader(in), "f")
		lines := bytes.Split(in, []byte{'\n'})
		for {
			d, n, err := p.Next()
			if err == io.EOF {
				if p.Offset() != int64(len(in)) {
					t.Fatalf("offset %d of %d", p.Offset(), len(in))
				}
				return
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line < 1 || int(pe.Line) > len(lines) {
					t.Fatalf("bad error %v", err)
				}
				return
			}
			// What was read must print back to the line, up to case, CR
			// and blanks.
			if p.Size() != len(d) || len(d) != SHA1Size && len(d) != NTLMSize {
				t.Fatalf("digest of %d bytes, size %d", len(d), p.Size())
			}
			line := lines[p.Line()-1]
			if p.Line() == 1 {
				line = bytes.TrimPrefix(line, bom)
			}
			hexPart, count, _ := strings.Cut(string(trimBlank(line)), ":")
			if c, err := strconv.ParseUint(count, 10, 64); err != nil || c != n || !strings.EqualFold(hexPart, hex.EncodeToString(d)) {
				t.Fatalf("line %d: %q read as %x:%d", p.Line(), line, d, n)
			}
		}
	})
}
