package breach

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fuzzLists and fuzzDoc are the schema as yaml/v3 sees it: the oracle the
// streaming parser is checked against.
type fuzzLists struct {
	Hashes    []*string `yaml:"hashes"`
	Emails    []*string `yaml:"emails"`
	Usernames []*string `yaml:"usernames"`
	Passwords []*string `yaml:"passwords"`
}

type fuzzDoc struct {
	Name              string     `yaml:"name"`
	Time              string     `yaml:"time"`
	IsVerified        bool       `yaml:"isVerified"`
	ContainsPasswds   bool       `yaml:"containsPasswds"`
	ContainsHashes    bool       `yaml:"containsHashes"`
	ContainsEmails    bool       `yaml:"containsEmails"`
	ContainsUsernames bool       `yaml:"containsUsernames"`
	HashType          string     `yaml:"hashType"`
	HashSalted        bool       `yaml:"hashSalted"`
	HashPeppered      bool       `yaml:"hashPeppered"`
	Description       string     `yaml:"description"`
	Data              *fuzzLists `yaml:"data"`
	fuzzLists         `yaml:",inline"`
}

// parsed is one document as either side reports it; a skipped entry is
// "\x00skip".
type parsed struct {
	meta  Meta
	lists [Hashes + 1][]string
}

const skipMark = "\x00skip"

// collect is a YAMLHandler gathering documents as parsed values.
type collect struct {
	cur  parsed
	docs []parsed
	nums []int
}

func (c *collect) Record(k Kind, v []byte, line int64) error {
	if len(v) == 0 {
		panic("empty record")
	}
	c.cur.lists[k] = append(c.cur.lists[k], string(v))
	return nil
}

func (c *collect) Skip(k Kind, line int64) { c.cur.lists[k] = append(c.cur.lists[k], skipMark) }

func (c *collect) Document(doc int, m Meta) error {
	c.cur.meta = m
	c.docs = append(c.docs, c.cur)
	c.nums = append(c.nums, doc)
	c.cur = parsed{}
	return nil
}

// oracle decodes in with yaml/v3 into the schema; ok is false when yaml/v3
// rejects the input or it is outside what the comparison can judge.
func oracle(in []byte) (docs []parsed, ok bool) {
	nodes := yaml.NewDecoder(bytes.NewReader(in))
	dec := yaml.NewDecoder(bytes.NewReader(in))
	dec.KnownFields(true)
	for {
		var n yaml.Node
		err := nodes.Decode(&n)
		if errors.Is(err, io.EOF) {
			if docs == nil {
				docs = []parsed{}
			}
			return docs, true
		}
		if err != nil {
			return nil, false
		}
		var d fuzzDoc
		if err := dec.Decode(&d); err != nil {
			return nil, false
		}
		if len(n.Content) == 0 || n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null" {
			continue // an empty document
		}
		if d.Name == "" {
			return nil, true // the parser must refuse it
		}
		var p parsed
		p.meta = Meta{Name: d.Name, IsVerified: d.IsVerified, ContainsPasswds: d.ContainsPasswds,
			ContainsHashes: d.ContainsHashes, ContainsEmails: d.ContainsEmails, ContainsUsernames: d.ContainsUsernames,
			HashType: strings.ToLower(d.HashType), HashSalted: d.HashSalted, HashPeppered: d.HashPeppered,
			Description: d.Description}
		if d.Time != "" {
			t, err := ParseTime(d.Time)
			if err != nil {
				return nil, false
			}
			p.meta.Time = t
		}
		for _, l := range []*fuzzLists{&d.fuzzLists, d.Data} {
			if l == nil {
				continue
			}
			for k, vs := range map[Kind][]*string{Hashes: l.Hashes, Emails: l.Emails, Usernames: l.Usernames, Passwords: l.Passwords} {
				for _, v := range vs {
					if v == nil || *v == "" {
						p.lists[k] = append(p.lists[k], skipMark)
					} else {
						p.lists[k] = append(p.lists[k], *v)
					}
				}
			}
		}
		docs = append(docs, p)
	}
}

func FuzzYAML(f *testing.F) {
	for _, s := range []string{thesisExample, specExample, "name: a\n", "name: a\nemails: [x, 'y''z', \"q\\tr\"]\n",
		"---\nname: a\ndata:\n  emails:\n  - a\n  - ~\n  hashes:\n    - h # c\n...\n---\nname: b\ntime: 2020-01-01\n",
		"name: a\nisVerified: maybe\n", "name: a\nemails:\n- a\n  b\n", "name: \"x\ny\"\nusernames: [a,\n b, # c\n c]\n",
		"data: {emails: [a, null]}\nname: q\n", "name: a\nemails:\n- a #b\n- 'a'\n- \"b\\\"c\"\n",
		"name: a\ndata:\n  emails:\n  - x\n  usernames:\n    - y\n", "name: a\nemails: [a:b, 'c', \"d\"]\n",
		"name: a\nemails:\n  -   \n  - ~ # x\n", "name: a\ndescription: |\n  line1\n\n  line3\nemails: []\n",
		"name: 'a'' b'\nhashType: \"SHA1\"\n", "name: a\n...\n---\nname: b\n", "name: a\nemails:\n- x\n# c\n  # d\n- y\n", "name: a\npasswords:\n  - 'a'#\n  - x #y\n  - -x\n  - a:b:c\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &collect{}
		err := ParseYAML(bytes.NewReader(in), "fuzz.yaml", c)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("not a ParseError: %v", err)
			}
			if pe.Document < 1 || pe.Line < 1 || pe.File != "fuzz.yaml" || pe.Msg == "" {
				t.Fatalf("error without a place: %+v", pe)
			}
		}
		for i := 1; i < len(c.nums); i++ {
			if c.nums[i] <= c.nums[i-1] {
				t.Fatalf("document numbers not increasing: %v", c.nums)
			}
		}
		want, ok := oracle(in)
		if ok && want == nil && err == nil {
			t.Fatalf("a document without a name was accepted")
		}
		if !ok || err != nil || want == nil {
			// yaml/v3 rejects it, or the parser refused something it
			// does not handle: refusing is always allowed.
			return
		}
		if len(c.docs) != len(want) {
			t.Fatalf("%d documents, yaml/v3 has %d", len(c.docs), len(want))
		}
		for i := range want {
			g, w := c.docs[i], want[i]
			if g.meta.Time.Equal(w.meta.Time) {
				g.meta.Time = w.meta.Time
			}
			if g.meta != w.meta {
				t.Fatalf("document %d: meta\n%+v\nyaml/v3:\n%+v", i+1, g.meta, w.meta)
			}
			for k := Emails; k <= Hashes; k++ {
				if strings.Join(g.lists[k], "\x01") != strings.Join(w.lists[k], "\x01") {
					t.Fatalf("document %d: %s\n%q\nyaml/v3:\n%q", i+1, k, g.lists[k], w.lists[k])
				}
			}
		}
	})
}
