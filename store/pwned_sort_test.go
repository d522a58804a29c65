package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/store/storetest"
)

func TestPwnedSorter(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	rng := rand.New(rand.NewPCG(11, 12))
	ds, counts := randomCorpus(rng, store.PwnedSHA1, 6000, 0)
	want := map[string]uint64{}
	for d, c := range counts {
		want[d] = c
	}
	// Shuffled, with some digests twice: the second sighting adds up.
	in := append([][]byte{}, ds...)
	for i := 0; i < len(ds); i += 3 {
		in = append(in, ds[i])
		want[string(ds[i])] += 1
	}
	rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	seen := map[string]bool{}

	dir := t.TempDir()
	p, err := store.NewPwnedSorter(store.PwnedSHA1, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range in {
		c := counts[string(d)]
		if seen[string(d)] {
			c = 1
		}
		seen[string(d)] = true
		if err := p.Add(d, c); err != nil {
			t.Fatal(err)
		}
	}
	w, err := s.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteTo(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	checkCorpus(t, s, store.PwnedSHA1, want)

	q, err := store.NewPwnedSorter(store.PwnedNTLM, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	w2, _ := s.NewPwnedWriter(store.PwnedSHA1)
	if err := q.WriteTo(ctx, w2); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("mode mismatch: %v", err)
	}
}
