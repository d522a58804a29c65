package routes

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// /range answers byte for byte like the public Pwned Passwords range API:
// upper-case SUFFIX:COUNT lines joined by CRLF, no trailing line break, 200
// for every valid prefix (an empty body when nothing matches). With
// Add-Padding: true the answer is padded with count-0 lines to a random
// 800–1,000 lines, so its size does not tell which range was asked for.

const (
	rangeMinPadded = 800
	rangeMaxPadded = 1000
	// rangeMaxAge lets browsers and reverse proxies keep an answer a day:
	// the corpus changes only when an admin imports one.
	rangeCacheControl = "public, max-age=86400"
)

var (
	errRangePrefix = "The hash prefix must be exactly 5 hexadecimal characters."
	errRangeMode   = "The mode must be sha1 or ntlm."
)

// rangeAccess is who may ask for ranges: anyone, like the public API, or
// with [API] RangeRequiresToken only holders of a personal API token.
func (h *Handler) rangeAccess() access {
	if h.cfg.API.RangeRequiresToken {
		return apiToken
	}
	return public
}

// showRange serves one range of the corpus.
func (h *Handler) showRange(c *fiber.Ctx) error {
	prefix, ok := parseRangePrefix(c.Params("prefix"))
	if !ok {
		return rangeError(c, errRangePrefix)
	}
	mode, ok := parseRangeMode(c.Query("mode"))
	if !ok {
		return rangeError(c, errRangeMode)
	}
	e, err := h.ranges.get(c.UserContext(), h.store, mode, prefix, h.now())
	if err != nil {
		return err
	}
	padded := c.Get("Add-Padding") == "true"
	etag := e.etag
	if padded {
		etag = "W/" + etag
	}
	c.Set(fiber.HeaderCacheControl, rangeCacheControl)
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderVary, "Add-Padding")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && (inm == e.etag || inm == "W/"+e.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "text/plain")
	if !padded || e.raw.N >= rangeMinPadded {
		return c.Send(e.body)
	}
	buf := rangeBufs.Get().(*[]byte)
	*buf = e.appendPadded((*buf)[:0], rangeMinPadded+rand.IntN(rangeMaxPadded-rangeMinPadded+1)-e.raw.N)
	c.Response().SetBody(*buf) // copies into the response's own buffer
	rangeBufs.Put(buf)
	return nil
}

var rangeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func rangeError(c *fiber.Ctx, msg string) error {
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	return c.Status(fiber.StatusBadRequest).SendString(msg)
}

// parseRangePrefix reads exactly five hex digits, in either case.
func parseRangePrefix(s string) (uint32, bool) {
	if len(s) != 5 {
		return 0, false
	}
	var p uint32
	for i := range 5 {
		v := unhex(s[i])
		if v > 15 {
			return 0, false
		}
		p = p<<4 | uint32(v)
	}
	return p, true
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

func parseRangeMode(s string) (store.PwnedMode, bool) {
	switch s {
	case "", "sha1", "SHA1":
		return store.PwnedSHA1, true
	case "ntlm", "NTLM":
		return store.PwnedNTLM, true
	}
	return "", false
}

const upperHex = "0123456789ABCDEF"

// appendRangeLine appends one SUFFIX:COUNT line: the key in upper-case hex
// without its first digit, which repeats the prefix's last.
func appendRangeLine(b, key []byte, count uint64) []byte {
	b = append(b, upperHex[key[0]&0x0F])
	for _, k := range key[1:] {
		b = append(b, upperHex[k>>4], upperHex[k&0x0F])
	}
	b = append(b, ':')
	return strconv.AppendUint(b, count, 10)
}

// formatRange is a range's unpadded answer.
func formatRange(r store.PwnedRange) []byte {
	w := r.Mode.Size()*2 - 5 + 8 // suffix, ':', a count, CRLF
	b := make([]byte, 0, r.N*w)
	for k, c := range r.Entries() {
		if len(b) > 0 {
			b = append(b, '\r', '\n')
		}
		b = appendRangeLine(b, k, c)
	}
	return b
}

// appendPadded appends the range's answer with n count-0 lines mixed in,
// in suffix order. Filler suffixes are drawn at random and redrawn when they
// hit a real one, so a padded answer never changes a real count.
func (e *rangeEntry) appendPadded(b []byte, n int) []byte {
	ks := e.raw.Mode.Size() - 2 // keys are digests without their first two bytes
	fill := make([]byte, 0, n*ks)
	key := make([]byte, ks)
	nibble := byte(e.raw.Prefix & 0x0F)
	for len(fill) < n*ks {
		for i := range key {
			key[i] = byte(rand.Uint32())
		}
		key[0] = nibble<<4 | key[0]&0x0F
		if _, real := e.raw.Find(key); !real {
			fill = append(fill, key...)
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i * ks
	}
	slices.SortFunc(idx, func(a, c int) int { return bytes.Compare(fill[a:a+ks], fill[c:c+ks]) })
	i := 0
	line := func(k []byte, count uint64) {
		if len(b) > 0 {
			b = append(b, '\r', '\n')
		}
		b = appendRangeLine(b, k, count)
	}
	for k, c := range e.raw.Entries() {
		for ; i < n && bytes.Compare(fill[idx[i]:idx[i]+ks], k) < 0; i++ {
			line(fill[idx[i]:idx[i]+ks], 0)
		}
		line(k, c)
	}
	for ; i < n; i++ {
		line(fill[idx[i]:idx[i]+ks], 0)
	}
	return b
}
