package breach

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxLineLen bounds one line of a plain list, so that a file without line
// breaks cannot make the reader buffer it whole.
const MaxLineLen = 64 << 10

// bom is the UTF-8 byte order mark some editors put at the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// LineReader reads a plain list, one value per line.
type LineReader struct {
	r       *bufio.Reader
	file    string
	line    int64
	skipped int64
	offset  int64
	err     error
}

// NewLineReader reads r, naming file in its errors. A *bufio.Reader of at
// least MaxLineLen+2 bytes is used as it is.
func NewLineReader(r io.Reader, file string) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, MaxLineLen+2), file: file}
}

// Next is the next non-empty value, trimmed of surrounding spaces, tabs and
// CR, and of a byte order mark on line 1; io.EOF at the end. The value is
// only valid until the next call, since it points into the read buffer.
func (l *LineReader) Next() ([]byte, error) {
	for l.err == nil {
		raw, err := l.r.ReadSlice('\n')
		l.offset += int64(len(raw))
		if len(raw) > 0 {
			l.line++
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			l.err = &ParseError{File: l.file, Line: l.line, Msg: fmt.Sprintf("line longer than %d bytes", MaxLineLen)}
			return nil, l.err
		case err != nil:
			l.err = err
			if len(raw) == 0 {
				return nil, err
			}
		}
		v := raw
		if len(v) > 0 && v[len(v)-1] == '\n' {
			v = v[:len(v)-1]
		}
		if len(v) > 0 && v[len(v)-1] == '\r' {
			v = v[:len(v)-1]
		}
		if len(v) > MaxLineLen {
			l.err = &ParseError{File: l.file, Line: l.line, Msg: fmt.Sprintf("line longer than %d bytes", MaxLineLen)}
			return nil, l.err
		}
		if l.line == 1 {
			v = bytes.TrimPrefix(v, bom)
		}
		v = trimBlank(v)
		if len(v) == 0 {
			l.skipped++
			continue
		}
		return v, nil
	}
	return nil, l.err
}

// Line is the 1-based line number of the value last returned.
func (l *LineReader) Line() int64 { return l.line }

// Skipped counts the empty or whitespace-only lines passed over so far.
func (l *LineReader) Skipped() int64 { return l.skipped }

// Offset is how many bytes have been consumed so far, for progress.
func (l *LineReader) Offset() int64 { return l.offset }

// trimBlank trims spaces, tabs and CRs at both ends without the rune
// decoding bytes.TrimSpace does, which matters at millions of lines.
func trimBlank(v []byte) []byte {
	for len(v) > 0 && isBlank(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isBlank(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }
