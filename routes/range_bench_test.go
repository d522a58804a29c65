package routes_test

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"

	"pcmt/store"
)

// BenchmarkRange serves /range through the app: a hot range of the public
// corpus's density and a range never stored, from their kept answers, and a
// small range padded, which is formatted anew for every request.
func BenchmarkRange(b *testing.B) {
	h, _ := benchApp(b, slog.LevelWarn, func(st *store.Store) {
		seedRange(b, st, 0x12345, 900)
		seedRange(b, st, 0xABCDE, 40)
	})
	b.Run("kept", func(b *testing.B) { benchGet(b, h, "/range/12345") })
	b.Run("empty", func(b *testing.B) { benchGet(b, h, "/range/12345?mode=ntlm") })
	b.Run("padded", func(b *testing.B) { benchGet(b, h, "/range/ABCDE", "Add-Padding", "true") })
}

// seedRange writes n random SHA-1 digests of prefix into the corpus, with
// counts like the public corpus's (mostly one or two digits).
func seedRange(b *testing.B, st *store.Store, prefix uint32, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(uint64(prefix), uint64(n)))
	ds := make([][]byte, n)
	for i := range ds {
		d := make([]byte, 20)
		for j := range d {
			d[j] = byte(rng.Uint32())
		}
		d[0], d[1], d[2] = byte(prefix>>12), byte(prefix>>4), byte(prefix<<4)|d[2]&0x0F
		ds[i] = d
	}
	slices.SortFunc(ds, bytes.Compare)
	ds = slices.CompactFunc(ds, func(x, y []byte) bool { return bytes.Equal(x, y) })
	w, err := st.NewPwnedWriter(store.PwnedSHA1)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range ds {
		if err := w.Add(context.Background(), d, uint64(1+rng.ExpFloat64()*20)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}
