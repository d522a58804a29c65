package rangeapi

import (
	"bytes"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pcmt/breach"
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
	// rangeCacheControl lets browsers and reverse proxies keep an answer a day:
	// the corpus changes only when an admin imports one.
	rangeCacheControl = "public, max-age=86400"
)

const (
	errRangePrefix   = "The hash prefix must be exactly 5 hexadecimal characters."
	errRangeMode     = "The mode must be sha1 or ntlm."
	errRangeUpstream = "This range is not stored here yet and the Pwned Passwords API could not be asked for it: please try again shortly."
	// rangeMirrorRetryAfter is the Retry-After, in seconds, of a range
	// upstream could not give.
	rangeMirrorRetryAfter = 30
)

// ShowRange serves one range of the corpus: from the kept answers when
// the range was asked for lately, else straight from the row. It is the
// handler of the route table's /range/:prefix.
func (s *Server) ShowRange(c *fiber.Ctx) error {
	prefix, ok := parseRangePrefix(c.Params("prefix"))
	if !ok {
		return rangeError(c, errRangePrefix)
	}
	mode, ok := parseRangeMode(c.Query("mode"))
	if !ok {
		return rangeError(c, errRangeMode)
	}
	key, gen, now := rangeKey{mode, prefix}, s.store.PwnedGeneration(), s.now()
	e, ok := s.ranges.fresh(key, gen, now)
	if !ok && s.ranges.admit(key, now) {
		var err error
		if e, err = s.ranges.load(c.UserContext(), s.store, key, gen, now); err != nil {
			return err
		}
		ok = true
	}
	if ok && (e.raw.N > 0 || s.mirror == nil) {
		return answerRange(c, e.raw, e.body, e.etag)
	}
	if !ok {
		err := s.store.WithPwnedRange(c.UserContext(), mode, prefix, func(r store.PwnedRange) error {
			if r.N == 0 && s.mirror != nil {
				return errRangeNotStored
			}
			return answerStored(c, r)
		})
		if !errors.Is(err, errRangeNotStored) {
			return err
		}
	}
	return s.showMirroredRange(c, mode, prefix)
}

// errRangeNotStored: the range has no row, which the mirror may fill.
var errRangeNotStored = errors.New("range not stored")

func answerStored(c *fiber.Ctx, r store.PwnedRange) error {
	var tag [rangeETagMax]byte
	return answerRange(c, r, nil, appendRangeETag(tag[:0], r))
}

// showMirroredRange asks upstream for a range the instance never stored,
// keeps it, and answers it. Upstream failing is a 503 to try again: an
// empty answer would say that no password of the range was ever seen.
func (s *Server) showMirroredRange(c *fiber.Ctx, mode store.PwnedMode, prefix uint32) error {
	if err := s.mirror.Fill(c.UserContext(), mode, prefix); err != nil {
		if !errors.Is(err, breach.ErrUpstream) {
			return err
		}
		s.log.Warn("range mirror: upstream failed", "err", err)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(rangeMirrorRetryAfter))
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
		return c.Status(fiber.StatusServiceUnavailable).SendString(errRangeUpstream)
	}
	return s.store.WithPwnedRange(c.UserContext(), mode, prefix, func(r store.PwnedRange) error {
		return answerStored(c, r)
	})
}

// answerRange writes a range's answer: body when it is formatted already,
// padded when asked. etag is the range's strong ETag; a padded answer
// carries it weak, since its filler lines differ from answer to answer.
func answerRange(c *fiber.Ctx, r store.PwnedRange, body, etag []byte) error {
	padded := c.Get("Add-Padding") == "true"
	h := &c.Response().Header
	h.Set(fiber.HeaderCacheControl, rangeCacheControl)
	if padded {
		var weak [rangeETagMax + 2]byte
		h.SetBytesV(fiber.HeaderETag, append(append(weak[:0], "W/"...), etag...))
	} else {
		h.SetBytesV(fiber.HeaderETag, etag)
	}
	h.Set(fiber.HeaderVary, "Add-Padding")
	h.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if inm := c.Request().Header.Peek(fiber.HeaderIfNoneMatch); bytes.Equal(inm, etag) ||
		len(inm) == len(etag)+2 && string(inm[:2]) == "W/" && bytes.Equal(inm[2:], etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	h.Set(fiber.HeaderContentType, "text/plain")
	if body != nil && (!padded || r.N >= rangeMinPadded) {
		return c.Send(body) // a kept answer is never changed
	}
	buf := rangeBufs.Get().(*rangeBuf)
	if padded && r.N < rangeMinPadded {
		buf.out, buf.hex = appendPadded(buf.out[:0], buf.hex, r, rangeMinPadded+rand.IntN(rangeMaxPadded-rangeMinPadded+1)-r.N)
	} else {
		buf.out, buf.hex = appendRange(buf.out[:0], buf.hex, r)
	}
	// Handed over without a copy; fasthttp closes the request's user values,
	// which puts buf back in the pool, once the response is written
	// (TestUserValuesCloseAfterTheResponse).
	c.Response().SetBodyRaw(buf.out)
	c.Context().SetUserValue(rangeBufKey{}, buf)
	return nil
}

// rangeETagMax is the longest ETag appendRangeETag makes.
const rangeETagMax = len(`"sha1-FFFFF-18446744073709551615-ffffffff"`)

// appendRangeETag appends the range's ETag, which names its content: mode,
// prefix, size and a CRC of its row, as "sha1-ABCDE-900-0123abcd".
func appendRangeETag(b []byte, r store.PwnedRange) []byte {
	b = append(b, '"')
	b = append(b, r.Mode...)
	b = append(b, '-')
	for shift := 16; shift >= 0; shift -= 4 {
		b = append(b, upperHex[r.Prefix>>shift&0x0F])
	}
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(r.N), 10)
	b = append(b, '-')
	crc := crc32.ChecksumIEEE(r.Data)
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, lowerHex[crc>>shift&0x0F])
	}
	return append(b, '"')
}

const lowerHex = "0123456789abcdef"

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
