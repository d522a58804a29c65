package breach

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"pcmt/apperr"
)

// metaKeys are the metadata keys of a YAML document, in the order of Meta.
var metaKeys = [...]string{"name", "time", "isVerified", "containsPasswds", "containsHashes",
	"containsEmails", "containsUsernames", "hashType", "hashSalted", "hashPeppered", "description"}

var metaKeyList = strings.Join(metaKeys[:], ", ")

// metaKeyOf is key's index in metaKeys, -1 for any other key.
func metaKeyOf(key []byte) int {
	for i, k := range metaKeys {
		if k == string(key) {
			return i
		}
	}
	return -1
}

// decodeHeader decodes the buffered metadata lines with yaml/v3, which
// knows every scalar form, and checks them against the schema.
func (p *yamlParser) decodeHeader() (Meta, error) {
	var m Meta
	if len(p.hdr) == 0 {
		return m, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(p.hdr, &root); err != nil {
		line, msg := p.yamlError(err)
		return m, p.fail(line, "%s", msg)
	}
	if len(root.Content) == 0 {
		return m, nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return m, p.fail(p.hdrLine(doc.Line), "expected \"key: value\" lines")
	}
	bools := map[string]*bool{"isVerified": &m.IsVerified, "containsPasswds": &m.ContainsPasswds,
		"containsHashes": &m.ContainsHashes, "containsEmails": &m.ContainsEmails,
		"containsUsernames": &m.ContainsUsernames, "hashSalted": &m.HashSalted, "hashPeppered": &m.HashPeppered}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		line := p.hdrLine(v.Line)
		var err error
		switch k.Value {
		case "name":
			m.Name, err = p.text(k.Value, v, line)
		case "description":
			m.Description, err = p.text(k.Value, v, line)
		case "hashType":
			m.HashType, err = p.text(k.Value, v, line)
			m.HashType = strings.ToLower(m.HashType)
		case "time":
			var s string
			if s, err = p.text(k.Value, v, line); err == nil && s != "" {
				if m.Time, err = ParseTime(s); err != nil {
					err = p.fail(line, "time: %q is not an RFC 3339 time or a date (2006-01-02)", clip([]byte(s)))
				}
			}
		case "data":
			err = p.inlineData(v)
		default:
			b, ok := bools[k.Value]
			if !ok {
				return m, p.fail(p.hdrLine(k.Line), "unknown key %q", k.Value)
			}
			if v.Kind != yaml.ScalarNode || v.Decode(b) != nil {
				err = p.fail(line, "%s: %q is not a boolean", k.Value, clip([]byte(v.Value)))
			}
		}
		if err != nil {
			return m, err
		}
	}
	return m, nil
}

// text is a scalar's string value, "" for null.
func (p *yamlParser) text(key string, v *yaml.Node, line int64) (string, error) {
	var s string
	if v.Kind != yaml.ScalarNode || v.Decode(&s) != nil {
		return "", p.fail(line, "%s: must be text, not a list or a map", key)
	}
	return s, nil
}

// inlineData takes a data mapping written inline ("data: {...}"), which
// went into the metadata buffer: its size is bounded by that buffer's.
func (p *yamlParser) inlineData(v *yaml.Node) error {
	line := p.hdrLine(v.Line)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.fail(line, "data: must be a mapping of lists (hashes, emails, usernames, passwords)")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		key, list := v.Content[i], v.Content[i+1]
		k := kindOf([]byte(key.Value))
		if k == 0 || key.Kind != yaml.ScalarNode {
			return p.fail(p.hdrLine(key.Line), "data: unknown key %q: want hashes, emails, usernames or passwords", clip([]byte(key.Value)))
		}
		if p.seenKinds&(1<<k) != 0 {
			return p.fail(p.hdrLine(key.Line), "%s: given twice", k)
		}
		p.seenKinds |= 1 << k
		if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return p.fail(p.hdrLine(list.Line), "%s: must be a list", k)
		}
		for _, e := range list.Content {
			at := p.hdrLine(e.Line)
			var s string
			if e.Kind != yaml.ScalarNode || e.Decode(&s) != nil {
				return p.fail(at, "%s: an entry is itself a list or a map", k)
			}
			if s == "" {
				p.h.Skip(k, at)
			} else if err := p.h.Record(k, []byte(s), at); err != nil {
				return err
			}
		}
	}
	return nil
}

// hdrLine maps a line of the metadata buffer to the file.
func (p *yamlParser) hdrLine(n int) int64 {
	if n >= 1 && n <= len(p.hdrLines) {
		return p.hdrLines[n-1]
	}
	if len(p.hdrLines) > 0 {
		return p.hdrLines[len(p.hdrLines)-1]
	}
	return max(p.docLine, 1)
}

// yamlError turns yaml/v3's "yaml: line N: msg" into a file line and a
// message.
func (p *yamlParser) yamlError(err error) (int64, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				return p.hdrLine(l), after
			}
		}
	}
	return p.hdrLine(0), msg
}

// ParseTime reads a breach time: RFC 3339, a date alone, or RFC 3339 with
// "Z" followed by an offset (2022-04-23T00:00:00Z+02:00, as a published
// example has it), where the offset wins.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if i := strings.LastIndexAny(s, "Zz"); i > 0 && i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
		if t, err := time.Parse(time.RFC3339Nano, s[:i]+s[i+1:]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not an RFC 3339 time or a date: %w", s, apperr.ErrInvalid)
}
