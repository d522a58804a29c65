package breach

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"pcmt/apperr"
)

type lineValue struct {
	v    string
	line int64
}

func readLines(t *testing.T, in string) ([]lineValue, *LineReader, error) {
	t.Helper()
	lr := NewLineReader(strings.NewReader(in), "list.txt")
	var out []lineValue
	for {
		v, err := lr.Next()
		if err == io.EOF {
			return out, lr, nil
		}
		if err != nil {
			return out, lr, err
		}
		out = append(out, lineValue{string(v), lr.Line()})
	}
}

func TestLineReader(t *testing.T) {
	in := "\ufeffa@example.com\r\n  b@example.com\t\n\n \t \r\nc\r\n\nlast"
	got, lr, err := readLines(t, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []lineValue{{"a@example.com", 1}, {"b@example.com", 2}, {"c", 5}, {"last", 7}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if lr.Skipped() != 3 || lr.Offset() != int64(len(in)) {
		t.Fatalf("skipped %d offset %d", lr.Skipped(), lr.Offset())
	}
}

func TestLineReaderRefusesLongLines(t *testing.T) {
	for _, r := range []io.Reader{
		strings.NewReader("ok\n" + strings.Repeat("x", MaxLineLen+1) + "\nok\n"),
		// A caller's larger buffer must not lift the limit.
		bufioLarge(strings.NewReader("ok\n" + strings.Repeat("x", MaxLineLen+1) + "\nok\n")),
	} {
		lr := NewLineReader(r, "list.txt")
		if _, err := lr.Next(); err != nil {
			t.Fatal(err)
		}
		_, err := lr.Next()
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 2 || !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("got %v", err)
		}
		if _, again := lr.Next(); again != err { //nolint:errorlint // the same error again
			t.Fatalf("error not sticky: %v", again)
		}
	}
	// Exactly the limit is fine, with CRLF too.
	if got, _, err := readLines(t, strings.Repeat("y", MaxLineLen)+"\r\n"); err != nil || len(got) != 1 {
		t.Fatalf("%v %d", err, len(got))
	}
}

func TestLineReaderDoesNotAllocatePerLine(t *testing.T) {
	in := bytes.Repeat([]byte("someone@example.com\n"), 10000)
	allocs := testing.AllocsPerRun(3, func() {
		lr := NewLineReader(bytes.NewReader(in), "x")
		for {
			if _, err := lr.Next(); err != nil {
				break
			}
		}
	})
	if allocs > 10 {
		t.Fatalf("%v allocations", allocs)
	}
}

func FuzzLines(f *testing.F) {
	for _, s := range []string{"a\nb\n", "a\r\n\r\n b \n", "\ufeffx", "", "\n\n", " \t\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		lr := NewLineReader(bytes.NewReader(in), "f")
		var values, skipped int64
		lines := bytes.Split(in, []byte{'\n'})
		if len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		for {
			v, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line < 1 || int(pe.Line) > len(lines) || len(lines[pe.Line-1]) <= MaxLineLen {
					t.Fatalf("bad error %v", err)
				}
				return
			}
			values++
			// The value is the trimmed line itself.
			want := bytes.TrimSuffix(lines[lr.Line()-1], []byte{'\r'})
			if lr.Line() == 1 {
				want = bytes.TrimPrefix(want, bom)
			}
			if want = trimBlank(want); len(v) == 0 || !bytes.Equal(v, want) {
				t.Fatalf("line %d: got %q want %q", lr.Line(), v, want)
			}
		}
		skipped = lr.Skipped()
		if values+skipped != int64(len(lines)) || lr.Offset() != int64(len(in)) {
			t.Fatalf("%d values + %d skipped != %d lines, offset %d of %d", values, skipped, len(lines), lr.Offset(), len(in))
		}
	})
}
