package store_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/store/storetest"
)

// randomCorpus makes n distinct random digests in ascending order with counts.
// With spread > 0 every digest falls into the first spread ranges, which sets
// the hashes-per-range density.
func randomCorpus(rng *rand.Rand, mode store.PwnedMode, n int, spread uint32) ([][]byte, map[string]uint64) {
	seen := make(map[string]uint64, n)
	out := make([][]byte, 0, n)
	for len(out) < n {
		d := make([]byte, mode.Size())
		for i := range d {
			d[i] = byte(rng.Uint32())
		}
		if spread > 0 {
			p := rng.Uint32N(spread)
			d[0], d[1], d[2] = byte(p>>12), byte(p>>4), byte(p<<4)|d[2]&0x0F
		}
		if _, dup := seen[string(d)]; dup {
			continue
		}
		c := uint64(1 + rng.ExpFloat64()*20)
		if rng.IntN(1000) == 0 {
			c = rng.Uint64N(1 << 40)
		}
		seen[string(d)] = c
		out = append(out, d)
	}
	slices.SortFunc(out, bytes.Compare)
	return out, seen
}

func importCorpus(t testing.TB, s *store.Store, mode store.PwnedMode, batch int, ds [][]byte, counts map[string]uint64) {
	t.Helper()
	ctx := context.Background()
	w, err := s.NewPwnedWriter(mode)
	if err != nil {
		t.Fatal(err)
	}
	w.Batch = batch
	for _, d := range ds {
		if err := w.Add(ctx, d, counts[string(d)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.Written(); got != int64(len(ds)) {
		t.Fatalf("written %d, want %d", got, len(ds))
	}
}

// checkCorpus compares every stored range with want and looks up every digest.
func checkCorpus(t *testing.T, s *store.Store, mode store.PwnedMode, want map[string]uint64) {
	t.Helper()
	ctx := context.Background()
	byPrefix := map[uint32]int{}
	for d, c := range want {
		byPrefix[store.PwnedPrefix([]byte(d))]++
		got, err := s.PwnedCount(ctx, mode, []byte(d))
		if err != nil || got != c {
			t.Fatalf("count %X = %d, %v; want %d", d, got, err, c)
		}
	}
	for p, n := range byPrefix {
		r, err := s.PwnedRange(ctx, mode, p)
		if err != nil || r.N != n {
			t.Fatalf("range %05X: %d entries, %v; want %d", p, r.N, err, n)
		}
		var prev []byte
		for k, c := range r.Entries() {
			if prev != nil && bytes.Compare(prev, k) >= 0 {
				t.Fatalf("range %05X not sorted", p)
			}
			prev = k
			d := append([]byte{byte(p >> 12), byte(p >> 4)}, k...)
			if store.PwnedPrefix(d) != p || want[string(d)] != c {
				t.Fatalf("range %05X entry %X:%d; want %d", p, d, c, want[string(d)])
			}
		}
	}
}

func TestPwnedRoundTrip(t *testing.T) {
	s := storetest.New(t)
	rng := rand.New(rand.NewPCG(1, 2))
	// A few dense ranges and many sparse ones; a small batch makes many
	// transactions and several INSERT statements a batch.
	dense, want := randomCorpus(rng, store.PwnedSHA1, 3000, 4)
	sparse, more := randomCorpus(rng, store.PwnedSHA1, 5000, 0)
	for d, c := range more {
		want[string(d)] = c
	}
	all := slices.SortedFunc(slices.Values(append(dense, sparse...)), bytes.Compare)
	importCorpus(t, s, store.PwnedSHA1, 200, all, want)
	checkCorpus(t, s, store.PwnedSHA1, want)

	// The range API's suffix is the key's hex without its first digit.
	d := all[0]
	r, err := s.PwnedRange(context.Background(), store.PwnedSHA1, store.PwnedPrefix(d))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(r.Key(0))[1:], hex.EncodeToString(d)[5:]; got != want {
		t.Fatalf("suffix %s, want %s", got, want)
	}
	// The other mode's corpus is separate.
	if n, err := s.PwnedCount(context.Background(), store.PwnedNTLM, d[:16]); err != nil || n != 0 {
		t.Fatalf("ntlm count %d, %v", n, err)
	}
}

func TestPwnedNTLM(t *testing.T) {
	s := storetest.New(t)
	ds, want := randomCorpus(rand.New(rand.NewPCG(3, 4)), store.PwnedNTLM, 4000, 16)
	importCorpus(t, s, store.PwnedNTLM, 0, ds, want)
	checkCorpus(t, s, store.PwnedNTLM, want)
	if _, err := s.PwnedCount(context.Background(), store.PwnedNTLM, make([]byte, 20)); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("20-byte NTLM digest: %v", err)
	}
}

func TestPwnedMerge(t *testing.T) {
	s := storetest.New(t)
	rng := rand.New(rand.NewPCG(5, 6))
	a, wa := randomCorpus(rng, store.PwnedSHA1, 3000, 8)
	b, wb := randomCorpus(rng, store.PwnedSHA1, 3000, 8)
	// Half of a comes again in the second import.
	for i := 0; i < len(a); i += 2 {
		d := a[i]
		b = append(b, d)
		wb[string(d)] = 7
	}
	slices.SortFunc(b, bytes.Compare)
	importCorpus(t, s, store.PwnedSHA1, 3, a, wa)
	importCorpus(t, s, store.PwnedSHA1, 3, b, wb)
	want := map[string]uint64{}
	for d, c := range wa {
		want[d] += c
	}
	for d, c := range wb {
		want[d] += c
	}
	checkCorpus(t, s, store.PwnedSHA1, want)
}

func TestPwnedRepeatedDigestAdds(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	w, err := s.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	d := bytes.Repeat([]byte{0xAB}, 20)
	for _, c := range []uint64{2, 3} {
		if err := w.Add(ctx, d, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PwnedCount(ctx, store.PwnedSHA1, d); err != nil || n != 5 {
		t.Fatalf("count %d, %v; want 5", n, err)
	}
}

func TestPwnedOutOfOrder(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	w, err := s.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	hi, lo := bytes.Repeat([]byte{0x50}, 20), bytes.Repeat([]byte{0x40}, 20)
	if err := w.Add(ctx, hi, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, lo, 1); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("out of order: %v", err)
	}
	// The writer stays failed rather than writing half an import.
	if err := w.Close(ctx); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("close after refusal: %v", err)
	}
	if n, _ := s.PwnedCount(ctx, store.PwnedSHA1, hi); n != 0 {
		t.Fatalf("refused import wrote %d", n)
	}
	if _, err := s.NewPwnedWriter("md5"); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("unknown mode: %v", err)
	}
	if err := w.Add(ctx, make([]byte, 19), 1); err == nil {
		t.Fatal("short digest accepted")
	}
}

func TestPwnedEmpty(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	w, err := s.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatalf("empty import: %v", err)
	}
	for _, p := range []uint32{0, 0x12345, 0xFFFFF} {
		r, err := s.PwnedRange(ctx, store.PwnedSHA1, p)
		if err != nil || r.N != 0 || r.Prefix != p {
			t.Fatalf("empty range %05X: %+v, %v", p, r, err)
		}
		for range r.Entries() {
			t.Fatal("entry in an empty range")
		}
	}
	if _, err := s.PwnedRange(ctx, store.PwnedSHA1, 0x100000); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("prefix past 20 bits: %v", err)
	}
	if n, err := s.PwnedCount(ctx, store.PwnedSHA1, make([]byte, 20)); err != nil || n != 0 {
		t.Fatalf("absent digest: %d, %v", n, err)
	}
}
