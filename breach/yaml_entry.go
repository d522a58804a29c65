package breach

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// entry handles the text after a block list entry's '-'. The common forms
// are decoded here without allocating; escapes go to yaml/v3.
func (p *yamlParser) entry(s []byte) error {
	k := p.list.kind
	v := trimLeftBlank(s)
	if len(v) == 0 || v[0] == '#' {
		p.h.Skip(k, p.line)
		return nil
	}
	var val []byte
	switch v[0] {
	case '\'', '"':
		var err error
		if val, err = p.quoted(v); err != nil {
			return err
		}
	case '[', '{', '|', '>', '&', '*', '!', '%', '@', '`', ',', ']', '}':
		return p.fail(p.line, "%s: an entry starting with %q is not a plain value: quote it", k, v[0])
	case '-', '?', ':':
		if len(v) == 1 || isBlank(v[1]) {
			return p.fail(p.line, "%s: an entry is itself a list or a map", k)
		}
		fallthrough
	default:
		var err error
		if val, err = p.plain(v); err != nil {
			return err
		}
		if isNull(val) {
			val = nil
		}
	}
	if len(val) == 0 {
		p.h.Skip(k, p.line)
		return nil
	}
	return p.h.Record(k, val, p.line)
}

// plain is a block plain scalar: up to a comment, never holding ": ".
func (p *yamlParser) plain(v []byte) ([]byte, error) {
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case ':':
			if i+1 == len(v) || isBlank(v[i+1]) {
				return nil, p.fail(p.line, "%s: an entry is a map (\"key: value\"); quote it if the colon belongs to the value", p.list.kind)
			}
		case '#':
			if isBlank(v[i-1]) {
				return trimRightBlank(v[:i]), nil
			}
		}
	}
	return trimRightBlank(v), nil
}

// quoted decodes a quoted scalar that must close on its line.
func (p *yamlParser) quoted(v []byte) ([]byte, error) {
	q := v[0]
	end, esc := -1, false
	for i := 1; i < len(v); i++ {
		if q == '"' && v[i] == '\\' {
			esc = true
			i++
			continue
		}
		if v[i] == q {
			if q == '\'' && i+1 < len(v) && v[i+1] == '\'' {
				esc = true
				i++
				continue
			}
			end = i
			break
		}
	}
	if end < 0 {
		return nil, p.fail(p.line, "%s: a quoted entry must close on its line", p.list.kind)
	}
	if rest := v[end+1:]; len(rest) > 0 {
		if t := trimLeftBlank(rest); len(t) > 0 && (t[0] != '#' || !isBlank(rest[0])) {
			return nil, p.fail(p.line, "%s: unexpected text after a quoted entry", p.list.kind)
		}
	}
	val := v[1:end]
	if !esc {
		return val, nil
	}
	if q == '\'' {
		p.scratch = append(p.scratch[:0], val...)
		p.scratch = bytes.ReplaceAll(p.scratch, []byte("''"), []byte("'"))
		return p.scratch, nil
	}
	return p.unescape(v[:end+1])
}

// unescape hands a double-quoted scalar with escapes to yaml/v3, which
// knows all of YAML's escapes; they are rare enough that its allocations
// do not matter.
func (p *yamlParser) unescape(quoted []byte) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(quoted, &n); err != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode {
		return nil, p.fail(p.line, "%s: a double-quoted entry with a bad escape", p.list.kind)
	}
	p.scratch = append(p.scratch[:0], n.Content[0].Value...)
	return p.scratch, nil
}

// isNull is whether a plain scalar is YAML's null.
func isNull(v []byte) bool {
	switch string(v) {
	case "", "~", "null", "Null", "NULL":
		return true
	}
	return false
}

// cutComment drops a trailing " # comment" from a plain value.
func cutComment(v []byte) []byte {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && isBlank(v[i-1]) {
			return trimRightBlank(v[:i])
		}
	}
	return v
}

func trimLeftBlank(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	return v
}

func trimRightBlank(v []byte) []byte {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
