package routes

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
// than encoded digit by digit: twice as fast as a per-line loop
// (BenchmarkAppendRange; docs/BENCHMARKS.md).

// rangeBuf is the room one answer is built in: the keys in hex, then the
// answer itself.
type rangeBuf struct{ hex, out []byte }

var rangeBufs = sync.Pool{New: func() any { return &rangeBuf{} }}

// appendRange appends a range's unpadded answer to b; hx is scratch room
// that it grows as needed and returns.
func appendRange(b, hx []byte, r store.PwnedRange) (out, scratch []byte) {
	if r.N == 0 {
		return b, hx
	}
	ks := r.Mode.Size() - 2 // keys are digests without their first two bytes
	hx = slices.Grow(hx[:0], 2*ks*r.N)[:2*ks*r.N]
	hex.EncodeUpper(hx, r.Data[:r.N*ks])
	return appendLines(b, hx, r.Data[r.N*ks:], r.N, 2*ks), hx
}

// appendLines appends n lines: the i-th line is hx's i-th key of kw hex
// digits less its first (which repeats the prefix's last), ':' and the i-th
// varint count; CRLF between lines.
func appendLines(b, hx, counts []byte, n, kw int) []byte {
	o := len(b)
	b = slices.Grow(b, n*(kw+2+20))
	out := b[:cap(b)]
	for i := range n {
		c, k := binary.Uvarint(counts)
		if k <= 0 {
			break // a corrupt row: what came before is still right
		}
		counts = counts[k:]
		if i > 0 {
			out[o], out[o+1] = '\r', '\n'
			o += 2
		}
		o += copySuffix(out[o:], hx[i*kw+1:(i+1)*kw])
		out[o] = ':'
		o++
		switch {
		case c < 10:
			out[o] = byte('0' + c)
			o++
		case c < 100:
			out[o], out[o+1] = byte('0'+c/10), byte('0'+c%10)
			o += 2
		default:
			o += len(strconv.AppendUint(out[o:o], c, 10))
		}
	}
	return b[:o]
}

// copySuffix copies a suffix's digits into dst. The two widths there are
// are copied in 16-byte moves (the last one overlapping), which the
// compiler turns into vector instructions instead of a call to memmove.
func copySuffix(dst, src []byte) int {
	switch len(src) {
	case 35: // SHA-1
		*(*[16]byte)(dst) = [16]byte(src)
		*(*[16]byte)(dst[16:]) = [16]byte(src[16:])
		*(*[16]byte)(dst[19:]) = [16]byte(src[19:])
	case 27: // NTLM
		*(*[16]byte)(dst) = [16]byte(src)
		*(*[16]byte)(dst[11:]) = [16]byte(src[11:])
	default:
		copy(dst, src)
	}
	return len(src)
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

// appendPadded appends the range's answer with n count-0 lines mixed in,
// in suffix order. Filler suffixes are drawn at random and redrawn when they
// hit a real one, so a padded answer never changes a real count.
func appendPadded(b []byte, r store.PwnedRange, n int) []byte {
	ks := r.Mode.Size() - 2
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
	i := 0
	line := func(k []byte, count uint64) {
		if len(b) > 0 {
			b = append(b, '\r', '\n')
		}
		b = appendRangeLine(b, k, count)
	}
	for k, c := range r.Entries() {
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
