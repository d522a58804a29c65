package breach

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"pcmt/hibp"
)

// The digest sizes a Pwned Passwords dump can hold.
const (
	SHA1Size = 20
	NTLMSize = 16
)

// maxPwnedLine bounds a dump line: 40 hex digits, a colon and a 20-digit
// count fit with ample room for stray spaces.
const maxPwnedLine = 256

// PwnedReader reads a Pwned Passwords dump: HEX:COUNT lines, SHA-1 (40 hex
// digits) or NTLM (32), the first line fixing which.
type PwnedReader struct {
	r      *bufio.Reader
	file   string
	line   int64
	offset int64
	size   int
	digest [SHA1Size]byte
	err    error
}

// NewPwnedReader reads r, naming file in its errors. A *bufio.Reader of at
// least 64 KiB is used as it is.
func NewPwnedReader(r io.Reader, file string) *PwnedReader {
	return &PwnedReader{r: bufio.NewReaderSize(r, 64<<10), file: file}
}

// SetPosition says, before the first Next, that r starts at byte offset of
// the file after line lines, so that a resumed import reports the same
// line numbers and offsets as a whole one.
func (p *PwnedReader) SetPosition(offset, line int64) { p.offset, p.line = offset, line }

// Size is the digest size of the file in bytes: 20 (SHA-1) or 16 (NTLM), 0
// before the first line.
func (p *PwnedReader) Size() int { return p.size }

// Line is the 1-based line number of the digest last returned.
func (p *PwnedReader) Line() int64 { return p.line }

// Offset is the byte offset in the file of the start of the next unread
// line: where a checkpoint taken now would resume.
func (p *PwnedReader) Offset() int64 { return p.offset }

// Next is the next digest and its count; io.EOF at the end. The digest is
// only valid until the next call. After an error every call returns it.
func (p *PwnedReader) Next() (digest []byte, count uint64, err error) {
	for p.err == nil {
		raw, err := p.r.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				p.err = p.fail(p.line+1, "line longer than %d bytes", maxPwnedLine)
				break
			}
			p.err = err
			if len(raw) == 0 {
				break
			}
		}
		start := p.offset
		p.offset += int64(len(raw))
		p.line++
		v := raw
		if len(v) > 0 && v[len(v)-1] == '\n' {
			v = v[:len(v)-1]
		}
		if len(v) > 0 && v[len(v)-1] == '\r' {
			v = v[:len(v)-1]
		}
		if start == 0 {
			v = bytes.TrimPrefix(v, bom)
		}
		if len(v) > 0 && (isBlank(v[0]) || isBlank(v[len(v)-1])) {
			v = trimBlank(v)
		}
		if len(v) == 0 {
			continue
		}
		if len(v) > maxPwnedLine {
			p.err = p.fail(p.line, "line longer than %d bytes", maxPwnedLine)
			break
		}
		count, perr := p.parse(v)
		if perr != nil {
			p.err = perr
			break
		}
		return p.digest[:p.size], count, nil
	}
	return nil, 0, p.err
}

// parse decodes one non-empty line into p.digest.
func (p *PwnedReader) parse(v []byte) (uint64, error) {
	colon := bytes.IndexByte(v, ':')
	if colon < 0 {
		return 0, p.fail(p.line, "no ':' before the count")
	}
	if p.size == 0 {
		switch colon {
		case 2 * SHA1Size:
			p.size = SHA1Size
		case 2 * NTLMSize:
			p.size = NTLMSize
		default:
			return 0, p.fail(p.line, "a hash of %d characters: want 40 hex digits (SHA-1) or 32 (NTLM)", colon)
		}
	} else if colon != 2*p.size {
		return 0, p.fail(p.line, "a hash of %d characters in a file of %d-hex-digit hashes", colon, 2*p.size)
	}
	for i := range p.size {
		hi, lo := hibp.Unhex[v[2*i]], hibp.Unhex[v[2*i+1]]
		if hi|lo > 0x0f {
			at := 2 * i
			if hi <= 0x0f {
				at++
			}
			return 0, p.fail(p.line, "%q is not a hex digit", v[at])
		}
		p.digest[i] = hi<<4 | lo
	}
	digits := v[colon+1:]
	if len(digits) == 0 {
		return 0, p.fail(p.line, "no count after ':'")
	}
	var n uint64
	for _, c := range digits {
		d := uint64(c - '0')
		if d > 9 {
			if c == ':' {
				return 0, p.fail(p.line, "more than two fields")
			}
			return 0, p.fail(p.line, "count %q is not a number", digits)
		}
		if n > (math.MaxUint64-d)/10 {
			return 0, p.fail(p.line, "count %s is too large", digits)
		}
		n = n*10 + d
	}
	return n, nil
}

func (p *PwnedReader) fail(line int64, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}
