package rangeapi

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pcmt/store"
)

// randomRange is a range of n random sorted keys with counts drawn by count.
func randomRange(rng *rand.Rand, mode store.PwnedMode, prefix uint32, n int, count func() uint64) (store.PwnedRange, []uint64) {
	ks := mode.Size() - 2
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = make([]byte, ks)
		for j := range keys[i] {
			keys[i][j] = byte(rng.Uint32())
		}
		keys[i][0] = byte(prefix&0x0F)<<4 | keys[i][0]&0x0F
	}
	slices.SortFunc(keys, bytes.Compare)
	r := store.PwnedRange{Mode: mode, Prefix: prefix, N: n}
	counts := make([]uint64, n)
	for i := range counts {
		counts[i] = count()
		r.Data = append(r.Data, keys[i]...)
	}
	for _, c := range counts {
		r.Data = binary.AppendUvarint(r.Data, c)
	}
	return r, counts
}

// referenceAnswer formats a range the plain way: each digest in upper-case
// hex less the prefix's five digits.
func referenceAnswer(r store.PwnedRange, counts []uint64) string {
	var lines []string
	for i := range r.N {
		digest := append([]byte{byte(r.Prefix >> 12), byte(r.Prefix >> 4)}, r.Key(i)...)
		lines = append(lines, fmt.Sprintf("%X:%d", digest, counts[i])[5:])
	}
	return strings.Join(lines, "\r\n")
}

// anyWidth draws counts of every decimal width, from 0 to the largest uint64.
func anyWidth(rng *rand.Rand) func() uint64 {
	return func() uint64 { return rng.Uint64() >> rng.UintN(65) }
}

// corpusLike draws counts like the public corpus's: mostly one or two digits.
func corpusLike(rng *rand.Rand) func() uint64 {
	return func() uint64 { return uint64(1 + rng.ExpFloat64()*20) }
}

func TestAppendRangeMatchesThePlainFormatting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var out, hx []byte // reused from call to call, as the pool does
	for _, mode := range []store.PwnedMode{store.PwnedSHA1, store.PwnedNTLM} {
		for _, n := range []int{0, 1, 2, 17, 900, 2500} {
			r, counts := randomRange(rng, mode, rng.Uint32N(1<<20), n, anyWidth(rng))
			out, hx = appendRange(out[:0], hx, r)
			if want := referenceAnswer(r, counts); string(out) != want {
				t.Fatalf("%s, %d lines:\n got %.120q\nwant %.120q", mode, n, out, want)
			}
		}
	}
}

func TestAppendRangeStopsAtACorruptCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r, counts := randomRange(rng, store.PwnedSHA1, 0xABCDE, 3, anyWidth(rng))
	r.Data = r.Data[:3*18+1] // the first count only
	r.Data[3*18] = 7
	got, _ := appendRange(nil, nil, r)
	counts[0] = 7
	first, _, _ := strings.Cut(referenceAnswer(r, counts), "\r\n")
	if string(got) != first {
		t.Fatalf("got %q, want %q", got, first)
	}
}

// BenchmarkAppendRange formats a range of the public corpus's density.
func BenchmarkAppendRange(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	r, _ := randomRange(rng, store.PwnedSHA1, 0x12345, 900, corpusLike(rng))
	var out, hx []byte
	for b.Loop() {
		out, hx = appendRange(out[:0], hx, r)
	}
	b.SetBytes(int64(len(out)))
}

func TestRangeETag(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, mode := range []store.PwnedMode{store.PwnedSHA1, store.PwnedNTLM} {
		for _, prefix := range []uint32{0, 0x0000F, 0xABCDE, 0xFFFFF} {
			r, _ := randomRange(rng, mode, prefix, 40, anyWidth(rng))
			want := fmt.Sprintf(`"%s-%05X-%d-%08x"`, mode, prefix, r.N, crc32.ChecksumIEEE(r.Data))
			if got := appendRangeETag(nil, r); string(got) != want || len(got) > rangeETagMax {
				t.Fatalf("ETag %s, want %s", got, want)
			}
		}
	}
}
