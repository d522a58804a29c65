package breach

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Meta is one breach's description, as a YAML document header gives it.
type Meta struct {
	Name              string
	Time              time.Time // zero when absent
	IsVerified        bool
	ContainsPasswds   bool
	ContainsHashes    bool
	ContainsEmails    bool
	ContainsUsernames bool
	HashType          string // lower-cased, "" when absent
	HashSalted        bool
	HashPeppered      bool
	Description       string
}

// YAMLHandler receives a YAML file's content as it is read.
type YAMLHandler interface {
	// Record is one non-empty entry of a data list of the current document;
	// value is only valid during the call (the parser reuses its buffer).
	Record(kind Kind, value []byte, line int64) error
	// Skip is one null or empty entry.
	Skip(kind Kind, line int64)
	// Document ends document number doc (1-based) with its complete metadata.
	Document(doc int, meta Meta) error
}

// Limits that keep memory flat whatever the file: only a document's
// metadata and a flow list are ever buffered whole.
const (
	MaxYAMLHeader = 1 << 20
	MaxFlowList   = 16 << 20
)

// ParseYAML reads every document of r, calling h as it goes. An error of the
// handler is returned unchanged; a malformed input is a *ParseError.
//
// Data lists stream: a list entry is handed to h as soon as its line is
// read, which is why the metadata, which may follow the lists, only comes
// with Document at the end of each document.
func ParseYAML(r io.Reader, file string, h YAMLHandler) error {
	p := &yamlParser{br: bufio.NewReaderSize(r, 64<<10), file: file, h: h}
	for {
		line, err := p.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := p.feed(line); err != nil {
			return err
		}
	}
	return p.endDoc()
}

// mode is what the parser expects of the next line.
type mode uint8

const (
	modeTop        mode = iota // a top-level key
	modeHeader                 // continuation lines of a metadata value
	modeHeaderOpen             // inside a quoted or flow metadata value
	modeData                   // a key of the data mapping
	modeList                   // an entry of a block list
	modeFlow                   // more of a flow list
)

// yamlParser is the line-driven state machine behind ParseYAML.
type yamlParser struct {
	br   *bufio.Reader
	file string
	h    YAMLHandler
	long []byte // a line longer than br's buffer
	line int64  // of the line being handled
	// noEOL is set for a last line without a line break, which YAML's
	// block scalars see as a difference.
	noEOL bool

	doc     int   // current document number
	open    bool  // a document is open
	ended   bool  // "..." closed the last document
	docLine int64 // where the current document starts
	empty   bool  // nothing but comments so far

	mode       mode
	hdr        []byte  // metadata lines, for go.yaml.in/yaml/v3
	hdrLines   []int64 // file line of each hdr line
	track      tracker // of an open metadata value or flow list
	seenMeta   uint32  // metadata keys given, by metaKeys index
	seenKinds  uint8   // list kinds given, by bit 1<<Kind
	seenData   bool
	dataIndent int // -1 until the first key under data:

	list struct {
		kind        Kind
		keyIndent   int
		entryIndent int // -1 until the first entry
		inData      bool
	}
	flow     []byte
	flowLine int64
	scratch  []byte // unquoted entries
}

func (p *yamlParser) fail(line int64, format string, args ...any) error {
	doc := max(p.doc, 1)
	return &ParseError{File: p.file, Document: doc, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// feed handles one line.
func (p *yamlParser) feed(line []byte) error {
	if hasOddBreak(line) {
		return p.fail(p.line, "a carriage return or Unicode line separator inside a line: use LF or CRLF line ends")
	}
	marker := isMarker(line, '-') || isMarker(line, '.')
	switch p.mode {
	case modeFlow:
		if marker {
			return p.fail(p.flowLine, "%s: the list's ']' is missing", p.list.kind)
		}
		return p.flowMore(line)
	case modeHeaderOpen:
		if marker {
			return p.fail(p.line, "a quoted or bracketed value is not closed before the document marker")
		}
		if err := p.appendHeader(line); err != nil {
			return err
		}
		if p.track.feed(line) >= 0 {
			p.mode = modeHeader
		}
		return nil
	}
	if marker {
		if rest := trimBlank(line[3:]); len(rest) > 0 && (rest[0] != '#' || !isBlank(line[3])) {
			return p.fail(p.line, "text after the document marker %q", line[:3])
		}
		if err := p.endDoc(); err != nil {
			return err
		}
		if line[0] == '-' {
			p.startDoc()
		} else {
			p.ended = true
		}
		return nil
	}
	indent := 0
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	t := trimBlank(line[indent:])
	if len(t) == 0 || t[0] == '#' {
		if p.open && p.mode == modeHeader {
			return p.appendHeader(line)
		}
		return nil
	}
	if line[indent] == '\t' {
		return p.fail(p.line, "a tab in the indentation: indent with spaces")
	}
	if !p.open {
		if p.ended {
			return p.fail(p.line, "a new document after '...' must start with '---'")
		}
		p.startDoc()
	}
	p.empty = false
	return p.content(indent, line)
}

func (p *yamlParser) startDoc() {
	p.doc++
	p.open, p.ended, p.empty = true, false, true
	p.docLine = p.line
	p.mode = modeTop
	p.hdr, p.hdrLines = p.hdr[:0], p.hdrLines[:0]
	p.seenMeta, p.seenKinds, p.seenData = 0, 0, false
}

// endDoc finishes the open document, if any: its metadata is decoded now
// that all of it has been seen.
func (p *yamlParser) endDoc() error {
	if !p.open {
		return nil
	}
	p.open = false
	switch p.mode {
	case modeFlow:
		return p.fail(p.flowLine, "%s: the list's ']' is missing", p.list.kind)
	case modeHeaderOpen:
		return p.fail(p.line, "a quoted or bracketed value is not closed at the end of the document")
	}
	if p.empty {
		return nil
	}
	meta, err := p.decodeHeader()
	if err != nil {
		return err
	}
	if meta.Name == "" {
		return p.fail(p.docLine, "name is required")
	}
	return p.h.Document(p.doc, meta)
}

// content handles a line with something other than a comment on it.
func (p *yamlParser) content(indent int, line []byte) error {
	switch p.mode {
	case modeHeader:
		if indent > 0 {
			return p.appendHeader(line)
		}
		p.mode = modeTop
	case modeList:
		l := &p.list
		s := line[indent:]
		if (indent == l.entryIndent || l.entryIndent < 0 && indent >= l.keyIndent) && isEntry(s) {
			l.entryIndent = indent
			return p.entry(s[1:])
		}
		if l.entryIndent >= 0 && indent > l.entryIndent {
			return p.fail(p.line, "%s: an entry goes on over more than one line; write each on one line", l.kind)
		}
		if l.entryIndent < 0 && indent > l.keyIndent {
			return p.fail(p.line, "%s: must be a list", l.kind)
		}
		p.mode = p.listParent()
	}
	if p.mode == modeData {
		if indent == 0 {
			p.mode = modeTop
		} else {
			return p.dataKey(indent, line)
		}
	}
	if indent > 0 {
		return p.fail(p.line, "unexpected indentation")
	}
	key, rest, ok := topKey(line)
	if !ok {
		return p.fail(p.line, "expected a \"key: value\" line, found %q", clip(line))
	}
	if k := kindOf(key); k != 0 {
		return p.listKey(k, 0, rest, false)
	}
	if string(key) == "data" {
		if p.seenData {
			return p.fail(p.line, "data: given twice")
		}
		p.seenData = true
		if v := trimBlank(rest); len(v) == 0 || v[0] == '#' {
			p.mode, p.dataIndent = modeData, -1
			return nil
		}
		// An inline data mapping is small: yaml/v3 decodes it with the
		// metadata.
		return p.headerKey(rest, line)
	}
	i := metaKeyOf(key)
	if i < 0 {
		return p.fail(p.line, "unknown key %q: want one of %s, data, hashes, emails, usernames, passwords", key, metaKeyList)
	}
	if p.seenMeta&(1<<i) != 0 {
		return p.fail(p.line, "%s: given twice", key)
	}
	p.seenMeta |= 1 << i
	return p.headerKey(rest, line)
}

// headerKey buffers a metadata line, following a quoted or bracketed value
// over the lines it spans.
func (p *yamlParser) headerKey(rest, line []byte) error {
	if err := p.appendHeader(line); err != nil {
		return err
	}
	p.mode = modeHeader
	if v := trimBlank(rest); len(v) > 0 && strings.IndexByte("\"'[{", v[0]) >= 0 {
		p.track = tracker{}
		if p.track.feed(v) < 0 {
			p.mode = modeHeaderOpen
		}
	}
	return nil
}

func (p *yamlParser) appendHeader(line []byte) error {
	if len(p.hdr)+len(line) >= MaxYAMLHeader {
		return p.fail(p.line, "the document's metadata is larger than %d bytes", MaxYAMLHeader)
	}
	p.hdr = append(p.hdr, line...)
	if !p.noEOL {
		p.hdr = append(p.hdr, '\n')
	}
	p.hdrLines = append(p.hdrLines, p.line)
	return nil
}

// dataKey handles a line indented under data:.
func (p *yamlParser) dataKey(indent int, line []byte) error {
	if p.dataIndent < 0 {
		p.dataIndent = indent
	}
	if indent != p.dataIndent {
		return p.fail(p.line, "data: wrong indentation")
	}
	key, rest, ok := topKey(line[indent:])
	if !ok {
		return p.fail(p.line, "data: must be a mapping of lists (hashes, emails, usernames, passwords)")
	}
	k := kindOf(key)
	if k == 0 {
		return p.fail(p.line, "data: unknown key %q: want hashes, emails, usernames or passwords", key)
	}
	return p.listKey(k, indent, rest, true)
}

func (p *yamlParser) listParent() mode {
	if p.list.inData {
		return modeData
	}
	return modeTop
}

// listKey starts the list of kind k whose key line is at indent.
func (p *yamlParser) listKey(k Kind, indent int, rest []byte, inData bool) error {
	if p.seenKinds&(1<<k) != 0 {
		return p.fail(p.line, "%s: given twice", k)
	}
	p.seenKinds |= 1 << k
	p.list.kind, p.list.keyIndent, p.list.entryIndent, p.list.inData = k, indent, -1, inData
	v := trimBlank(rest)
	switch {
	case len(v) == 0 || v[0] == '#':
		p.mode = modeList
		return nil
	case v[0] == '[':
		return p.flowStart(v)
	}
	if isNull(cutComment(v)) {
		p.mode = p.listParent()
		return nil
	}
	return p.fail(p.line, "%s: must be a list", k)
}
