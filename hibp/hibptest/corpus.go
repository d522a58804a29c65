// Package hibptest serves a Pwned Passwords range API from a corpus held in
// memory, on 127.0.0.1: the answers, ETags, Last-Modified and 304s of the
// real one, and the faults a sync must survive (5xx, 429 with Retry-After,
// slow and malformed answers) on request. The corpus is generated from a
// seed or read from a dump, so tests and benchmarks know exactly what a
// sync should end up with.
package hibptest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"pcmt/hibp"
)

// Corpus is the ranges of one mode, as the range API answers them.
type Corpus struct {
	Mode string // hibp.ModeSHA1 or hibp.ModeNTLM

	mu     sync.RWMutex
	ranges map[uint32]*rangeAnswer // populated ranges; the others are empty
	epoch  time.Time               // Last-Modified of ranges never changed
}

type rangeAnswer struct {
	body     []byte
	etag     string
	modified time.Time
}

// epoch is when generated ranges were last modified.
var epoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// Generate makes a corpus of mode over the prefixes below space: about
// nine ranges in ten hold 1 to 2×perRange hashes, the others none. The
// same arguments make the same corpus.
func Generate(mode string, seed uint64, space uint32, perRange int) *Corpus {
	c := &Corpus{Mode: mode, ranges: map[uint32]*rangeAnswer{}, epoch: epoch}
	for p := range space {
		rng := rand.New(rand.NewPCG(seed, uint64(p)))
		if rng.IntN(10) == 0 {
			continue
		}
		c.ranges[p] = c.answer(generateLines(rng, mode, p, 1+rng.IntN(2*perRange)), epoch)
	}
	return c
}

// generateLines makes n distinct hashes of range p, sorted, as answer lines.
func generateLines(rng *rand.Rand, mode string, p uint32, n int) [][]byte {
	size := 20
	if mode == hibp.ModeNTLM {
		size = 16
	}
	seen := map[string]bool{}
	var digests [][]byte
	for len(digests) < n {
		d := make([]byte, size)
		for i := 0; i < size; i += 8 {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], rng.Uint64())
			copy(d[i:], b[:])
		}
		d[0], d[1], d[2] = byte(p>>12), byte(p>>4), byte(p<<4)|d[2]&0x0F
		if !seen[string(d)] {
			seen[string(d)] = true
			digests = append(digests, d)
		}
	}
	slices.SortFunc(digests, bytes.Compare)
	lines := make([][]byte, len(digests))
	for i, d := range digests {
		count := 1 + uint64(rng.ExpFloat64()*50)
		if rng.IntN(100) == 0 {
			count = 1 << (20 + rng.IntN(20)) // a few very common passwords
		}
		lines[i] = fmt.Appendf(nil, "%X:%d", d, count)[5:]
	}
	return lines
}

// ReadCorpus reads a sorted Pwned Passwords dump (HEX:COUNT lines, CRLF or
// LF) of one mode into a corpus.
func ReadCorpus(r io.Reader) (*Corpus, error) {
	c := &Corpus{ranges: map[uint32]*rangeAnswer{}, epoch: epoch}
	sc := bufio.NewScanner(bufio.NewReaderSize(r, 1<<20))
	var cur uint32
	var body []byte
	flush := func() {
		if len(body) > 0 {
			c.ranges[cur] = newAnswer(body, epoch)
			body = nil
		}
	}
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		colon := bytes.IndexByte(line, ':')
		switch {
		case colon == 40 && c.Mode != hibp.ModeNTLM:
			c.Mode = hibp.ModeSHA1
		case colon == 32 && c.Mode != hibp.ModeSHA1:
			c.Mode = hibp.ModeNTLM
		default:
			return nil, fmt.Errorf("hibptest: line %d: not a hash of the dump's mode", n)
		}
		p, err := strconv.ParseUint(string(line[:5]), 16, 32)
		if err != nil {
			return nil, fmt.Errorf("hibptest: line %d: %w", n, err)
		}
		if uint32(p) != cur || body == nil {
			if uint32(p) < cur {
				return nil, fmt.Errorf("hibptest: line %d: the dump is not sorted", n)
			}
			flush()
			cur = uint32(p)
		} else {
			body = append(body, '\r', '\n')
		}
		body = append(body, bytes.ToUpper(line[5:])...)
	}
	flush()
	return c, sc.Err()
}

// answer joins lines by CRLF, as the range API does (no final line break).
func (c *Corpus) answer(lines [][]byte, modified time.Time) *rangeAnswer {
	return newAnswer(bytes.Join(lines, []byte("\r\n")), modified)
}

func newAnswer(body []byte, modified time.Time) *rangeAnswer {
	h := fnv.New64a()
	h.Write(body)
	return &rangeAnswer{body: body, etag: fmt.Sprintf(`"%016x"`, h.Sum64()), modified: modified}
}

// Answer is the body the range API gives for prefix: empty for a range
// without hashes.
func (c *Corpus) Answer(prefix uint32) []byte {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r := c.ranges[prefix]; r != nil {
		return r.body
	}
	return nil
}

// Prefixes lists the populated ranges in order.
func (c *Corpus) Prefixes() []uint32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]uint32, 0, len(c.ranges))
	for p, r := range c.ranges {
		if len(r.body) > 0 {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Hashes counts the hashes of every range.
func (c *Corpus) Hashes() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var n int64
	for _, r := range c.ranges {
		if len(r.body) > 0 {
			n += int64(bytes.Count(r.body, []byte("\n"))) + 1
		}
	}
	return n
}

// Change gives range prefix new hashes (none when n is 0), a new ETag and
// a later Last-Modified, as upstream does when it adds passwords. The
// same seed makes the same hashes.
func (c *Corpus) Change(prefix uint32, seed uint64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rng := rand.New(rand.NewPCG(seed, uint64(prefix)))
	var lines [][]byte
	if n > 0 {
		lines = generateLines(rng, c.Mode, prefix, n)
	}
	c.ranges[prefix] = c.answer(lines, c.epoch.Add(24*time.Hour*time.Duration(1+seed%1000)))
}

// serve answers GET /range/{prefix} like the real API: 200 with the
// range, or 304 when If-None-Match names its ETag (or, without it,
// If-Modified-Since is not before its Last-Modified).
func (c *Corpus) serve(w http.ResponseWriter, r *http.Request, prefix uint32) (notModified bool) {
	c.mu.RLock()
	a := c.ranges[prefix]
	c.mu.RUnlock()
	if a == nil {
		a = c.answer(nil, c.epoch)
	}
	h := w.Header()
	h.Set("ETag", a.etag)
	h.Set("Last-Modified", a.modified.Format(http.TimeFormat))
	h.Set("Content-Type", "text/plain")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		notModified = inm == a.etag
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil {
		notModified = !a.modified.After(ims)
	}
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	_, _ = w.Write(a.body)
	return false
}
