package breach

import "bytes"

// tracker follows quotes and brackets over lines, to find where a flow
// value ends without parsing it.
type tracker struct {
	depth int
	quote byte // the open quote, 0 outside quotes
	esc   bool // a backslash in double quotes escapes what follows
	prev  byte // last non-blank byte outside quotes
}

// feed takes the next line and returns the index where the value closes,
// or -1 when it goes on past the line.
func (t *tracker) feed(s []byte) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch t.quote {
		case '"':
			switch {
			case t.esc:
				t.esc = false
			case c == '\\':
				t.esc = true
			case c == '"':
				t.quote, t.prev = 0, c
				if t.depth == 0 {
					return i
				}
			}
			continue
		case '\'':
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				t.quote, t.prev = 0, c
				if t.depth == 0 {
					return i
				}
			}
			continue
		}
		switch c {
		case ' ', '\t':
			continue
		case '#':
			if i == 0 || isBlank(s[i-1]) {
				return -1
			}
		case '"', '\'':
			if t.prev == 0 || bytes.IndexByte([]byte("[{,:"), t.prev) >= 0 {
				t.quote = c
				continue
			}
		case '[', '{':
			t.depth++
		case ']', '}':
			t.depth--
			if t.depth <= 0 {
				t.prev = c
				return i
			}
		}
		t.prev = c
	}
	return -1
}

// flowStart begins a flow list; v starts with '['.
func (p *yamlParser) flowStart(v []byte) error {
	p.flow = append(p.flow[:0], v...)
	p.flowLine = p.line
	p.track = tracker{}
	if end := p.track.feed(v); end >= 0 {
		return p.flowEnd(end)
	}
	p.mode = modeFlow
	return nil
}

// flowMore adds a line to an open flow list.
func (p *yamlParser) flowMore(line []byte) error {
	at := len(p.flow) + 1
	if at+len(line) > MaxFlowList {
		return p.fail(p.flowLine, "%s: a flow list ([...]) longer than %d bytes: write it as a block list, one \"- entry\" a line", p.list.kind, MaxFlowList)
	}
	p.flow = append(append(p.flow, '\n'), line...)
	if end := p.track.feed(line); end >= 0 {
		return p.flowEnd(at + end)
	}
	return nil
}

// flowEnd parses the buffered flow list, which closes at index end.
func (p *yamlParser) flowEnd(end int) error {
	p.mode = p.listParent()
	line := p.flowLine + int64(bytes.Count(p.flow[:end], []byte{'\n'}))
	if p.flow[end] != ']' {
		return p.fail(line, "%s: a '}' closes the list", p.list.kind)
	}
	if rest := p.flow[end+1:]; len(rest) > 0 {
		if t := trimLeftBlank(rest); len(t) > 0 && (t[0] != '#' || !isBlank(rest[0])) {
			return p.fail(line, "%s: unexpected text after the list", p.list.kind)
		}
	}
	return p.scanFlow(p.flow[:end+1])
}

// scanFlow hands the entries of a complete flow list "[...]" to the handler.
func (p *yamlParser) scanFlow(buf []byte) error {
	k := p.list.kind
	line := p.flowLine
	i := 1
	for {
		i, line = skipFlowSpace(buf, i, line)
		if err := p.flowClosed(buf, i, line); err != nil || buf[i] == ']' {
			return err
		}
		var val []byte
		at := line
		switch c := buf[i]; c {
		case '"', '\'':
			end := i + 1
			for ; end < len(buf) && buf[end] != '\n'; end++ {
				if c == '"' && buf[end] == '\\' && end+1 < len(buf) && buf[end+1] != '\n' {
					end++
					continue
				}
				if buf[end] == c {
					if c == '\'' && end+1 < len(buf) && buf[end+1] == '\'' {
						end++
						continue
					}
					break
				}
			}
			if end >= len(buf) || buf[end] != c {
				return p.fail(at, "%s: a quoted entry must close on its line", k)
			}
			saved := p.line
			p.line = at
			v, err := p.quoted(buf[i : end+1])
			p.line = saved
			if err != nil {
				return err
			}
			val, i = v, end+1
		default:
			if bytes.IndexByte([]byte(",[{}&*!|>%@`#"), c) >= 0 ||
				(c == '-' || c == '?' || c == ':') && i+1 < len(buf) && isFlowEnd(buf[i+1]) {
				return p.fail(at, "%s: an entry starting with %q is not a plain value: quote it", k, c)
			}
			start := i
		plain:
			for ; i < len(buf); i++ {
				switch buf[i] {
				case ',', ']', '\n':
					break plain
				case '[', '{', '}':
					return p.fail(at, "%s: an entry is itself a list or a map", k)
				case ':':
					if i+1 < len(buf) && (isFlowEnd(buf[i+1]) || buf[i+1] == '?') {
						return p.fail(at, "%s: an entry is a map (\"key: value\"); quote it if the colon belongs to the value", k)
					}
				case '#':
					if isBlank(buf[i-1]) {
						break plain
					}
				}
			}
			val = trimRightBlank(buf[start:i])
			if isNull(val) {
				val = nil
			}
		}
		if len(val) == 0 {
			p.h.Skip(k, at)
		} else if err := p.h.Record(k, val, at); err != nil {
			return err
		}
		i, line = skipFlowSpace(buf, i, line)
		if err := p.flowClosed(buf, i, line); err != nil {
			return err
		}
		switch buf[i] {
		case ',':
			i++
		case ']':
			return nil
		default:
			return p.fail(line, "%s: expected ',' or ']' after an entry (an entry goes on over more than one line?)", k)
		}
	}
}

// flowClosed checks that the scanner, at i, is still inside the list and
// that a ']' there is the one the tracker found.
func (p *yamlParser) flowClosed(buf []byte, i int, line int64) error {
	if i >= len(buf) {
		return p.fail(line, "%s: the list's ']' is missing", p.list.kind)
	}
	if buf[i] == ']' && i != len(buf)-1 {
		return p.fail(line, "%s: unexpected text after the list", p.list.kind)
	}
	return nil
}

// isFlowEnd is whether c ends a plain scalar after ':' or '-' in a flow list.
func isFlowEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// skipFlowSpace passes blanks, line breaks and comments. buf ends with ']'
// so the index never runs off its end.
func skipFlowSpace(buf []byte, i int, line int64) (int, int64) {
	for i < len(buf) {
		switch buf[i] {
		case ' ', '\t':
			i++
		case '\n':
			i++
			line++
		case '#':
			if !isBlank(buf[i-1]) && buf[i-1] != '\n' {
				return i, line
			}
			for i < len(buf) && buf[i] != '\n' {
				i++
			}
		default:
			return i, line
		}
	}
	return i, line
}
