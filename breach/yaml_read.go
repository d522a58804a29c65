package breach

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// readLine is the next line without its LF or CRLF; io.EOF at the end.
func (p *yamlParser) readLine() ([]byte, error) {
	raw, err := p.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		p.long = append(p.long[:0], raw...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(p.long) > MaxFlowList {
				return nil, p.fail(p.line+1, "line longer than %d bytes", MaxFlowList)
			}
			raw, err = p.br.ReadSlice('\n')
			p.long = append(p.long, raw...)
		}
		raw = p.long
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, io.EOF
	}
	p.line++
	p.noEOL = raw[len(raw)-1] != '\n'
	if !p.noEOL {
		raw = raw[:len(raw)-1]
		if len(raw) > 0 && raw[len(raw)-1] == '\r' {
			raw = raw[:len(raw)-1]
		}
	}
	if p.line == 1 {
		raw = bytes.TrimPrefix(raw, bom)
	}
	return raw, nil
}

// isMarker is whether line is a document marker: "---" or "...".
func isMarker(line []byte, c byte) bool {
	return len(line) >= 3 && line[0] == c && line[1] == c && line[2] == c && (len(line) == 3 || isBlank(line[3]))
}

// isEntry is whether s, at an entry's indentation, starts a block list entry.
func isEntry(s []byte) bool { return s[0] == '-' && (len(s) == 1 || s[1] == ' ') }

// topKey splits "key: rest" when key is a plain word.
func topKey(line []byte) (key, rest []byte, ok bool) {
	i := 0
	for i < len(line) && (line[i]|0x20 >= 'a' && line[i]|0x20 <= 'z' || line[i] >= '0' && line[i] <= '9' || line[i] == '_') {
		i++
	}
	j := i
	for j < len(line) && line[j] == ' ' {
		j++
	}
	if i == 0 || j == len(line) || line[j] != ':' || j+1 < len(line) && !isBlank(line[j+1]) {
		return nil, nil, false
	}
	return line[:i], line[j+1:], true
}

// hasOddBreak reports a CR or a Unicode line break (NEL, LS, PS) inside a
// line: YAML breaks lines there too, which a line reader would not.
func hasOddBreak(line []byte) bool {
	if bytes.IndexByte(line, '\r') >= 0 {
		return true
	}
	for s := line; ; {
		i := bytes.IndexByte(s, 0xC2)
		if i < 0 {
			break
		}
		if i+1 < len(s) && s[i+1] == 0x85 {
			return true
		}
		s = s[i+1:]
	}
	for s := line; ; {
		i := bytes.IndexByte(s, 0xE2)
		if i < 0 {
			break
		}
		if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// clip shortens text quoted in an error message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
