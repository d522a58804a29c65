package rangeapi

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	hex "github.com/tmthrgd/go-hex"

	"pcmt/store"
)

// Formatting an answer is most of the work of a /range request that is not
// kept: about 900 lines of 35 hex digits and a count. The keys of a range lie
// side by side in its row, so they are hex-encoded in one vectorised pass
// (SSE/AVX on amd64), and each line is then copied from that text rather
// than encoded digit by digit: about four times as fast as a per-line loop
// (BenchmarkAppendRange; docs/BENCHMARKS.md). Padded answers are merged
// into a range of their own and formatted the same way.

// rangeBuf is the room one answer is built in: the keys in hex, then the
// answer itself, which answerRange gives fasthttp without a copy. Set as a
// user value of the request, it goes back to the pool when fasthttp closes
// those, after writing the response.
type rangeBuf struct{ hex, out []byte }

// rangeBufKey is the user value a rangeBuf is kept under.
type rangeBufKey struct{}

var rangeBufs = sync.Pool{New: func() any { return &rangeBuf{} }}

// Close puts b back in the pool.
func (b *rangeBuf) Close() error {
	rangeBufs.Put(b)
	return nil
}

// appendRange appends a range's unpadded answer to b; hx is scratch room
// that it grows as needed and returns.
func appendRange(b, hx []byte, r store.PwnedRange) (out, scratch []byte) {
	if r.N == 0 {
		return b, hx
	}
	ks := r.Mode.Size() - 2 // keys are digests without their first two bytes
	// lineSlack past the last key: appendLines copies whole 16-byte blocks.
	hx = slices.Grow(hx[:0], 2*ks*r.N+lineSlack)[:2*ks*r.N+lineSlack]
	hex.EncodeUpper(hx, r.Data[:r.N*ks])
	return appendLines(b, hx, r.Data[r.N*ks:], r.N, 2*ks), hx
}

// lineSlack is the room appendLines may write (and read) past a line's end.
const lineSlack = 64

// countText is the decimal text of every count below 100 followed by CRLF,
// as four little-endian bytes: 7 is "7\r\n" and a fourth byte to be
// overwritten, 42 is "42\r\n".
var countText = func() (t [100]uint32) {
	for c := range t {
		s := strconv.Itoa(c) + "\r\n\x00"
		t[c] = binary.LittleEndian.Uint32([]byte(s))
	}
	return t
}()

// appendLines appends n lines: the i-th line is hx's i-th key of kw hex
// digits less its first (which repeats the prefix's last), ':' and the i-th
// varint count; CRLF between lines. The loop is the hot path of /range, so
// each line is written into a fixed window of lineSlack bytes: the digits
// as three 16-byte moves (what they copy past the key is overwritten or
// cut), one-byte counts without binary.Uvarint, counts below 100 and their
// CRLF as one 4-byte store. hx needs lineSlack bytes past its last key.
func appendLines(b, hx, counts []byte, n, kw int) []byte {
	start := len(b)
	b = slices.Grow(b, n*(kw+2+20)+lineSlack)
	out := b[:cap(b)]
	o, w, ci := start, kw-1, 0 // w: digits on a line; ci: next count
	for i := range n {
		if ci >= len(counts) {
			break // a corrupt row: what came before is still right
		}
		c := uint64(counts[ci])
		if c < 0x80 {
			ci++
		} else {
			k := 0
			if c, k = longCount(counts[ci:]); k <= 0 {
				break
			}
			ci += k
		}
		d := (*[lineSlack]byte)(out[o:])
		key := (*[48]byte)(hx[i*kw+1:])
		*(*[16]byte)(d[0:]) = [16]byte(key[0:])
		*(*[16]byte)(d[16:]) = [16]byte(key[16:])
		*(*[16]byte)(d[32:]) = [16]byte(key[32:])
		d[w] = ':'
		if c < 100 {
			binary.LittleEndian.PutUint32(d[w+1:], countText[c])
			o += w + 1 + 3 + int((c+246)>>8) // one digit or two, then CRLF
		} else {
			o += w + 1 + bigCount(d[w+1:], c)
		}
	}
	if o > start {
		o -= 2 // no line break after the last line
	}
	return b[:o]
}

// longCount and bigCount are the rare cases of appendLines, kept out of
// its loop so that the loop's variables stay in registers.

// longCount decodes a count of more than one varint byte.
//
//go:noinline
func longCount(counts []byte) (uint64, int) { return binary.Uvarint(counts) }

// bigCount writes a count of 100 or more and CRLF to d, which has room for
// 22 bytes, and returns their length.
//
//go:noinline
func bigCount(d []byte, c uint64) int {
	e := len(strconv.AppendUint(d[:0], c, 10))
	d[e], d[e+1] = '\r', '\n'
	return e + 2
}

const upperHex = "0123456789ABCDEF"

// appendPadded appends the range's answer with n count-0 lines mixed in,
// in suffix order, formatted like any other (it returns the scratch room
// as appendRange does). Filler suffixes are drawn at random and redrawn
// when they hit a real one, so a padded answer never changes a real count.
func appendPadded(b, hx []byte, r store.PwnedRange, n int) (out, scratch []byte) {
	ks := r.Mode.Size() - 2 // keys are digests without their first two bytes
	fill := make([]byte, 0, n*ks)
	key := make([]byte, ks)
	nibble := byte(r.Prefix & 0x0F)
	for len(fill) < n*ks {
		for i := range key {
			key[i] = byte(rand.Uint32())
		}
		key[0] = nibble<<4 | key[0]&0x0F
		if _, real := r.Find(key); !real {
			fill = append(fill, key...)
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i * ks
	}
	slices.SortFunc(idx, func(a, c int) int { return bytes.Compare(fill[a:a+ks], fill[c:c+ks]) })

	// The merged range: keys in order, then their counts.
	keys := make([]byte, 0, (r.N+n)*ks)
	counts := make([]uint64, 0, r.N+n)
	i := 0
	for k, c := range r.Entries() {
		for ; i < n && bytes.Compare(fill[idx[i]:idx[i]+ks], k) < 0; i++ {
			keys, counts = append(keys, fill[idx[i]:idx[i]+ks]...), append(counts, 0)
		}
		keys, counts = append(keys, k...), append(counts, c)
	}
	for ; i < n; i++ {
		keys, counts = append(keys, fill[idx[i]:idx[i]+ks]...), append(counts, 0)
	}
	for _, c := range counts {
		keys = binary.AppendUvarint(keys, c)
	}
	return appendRange(b, hx, store.PwnedRange{Mode: r.Mode, Prefix: r.Prefix, N: len(counts), Data: keys})
}
