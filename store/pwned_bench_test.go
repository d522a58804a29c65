package store_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"testing"

	"pcmt/store"
	"pcmt/store/storetest"
)

// benchCorpus sizes: the public corpus holds about a thousand hashes a range,
// so "dense" spreads its hashes over 1,024 ranges; "sparse" over all 2^20
// ranges shows the per-row cost of nearly empty ranges.
var benchSpreads = []struct {
	name   string
	spread uint32
}{{"dense", 1024}, {"sparse", 0}}

// BenchmarkPwnedImport imports one million sorted SHA-1 digests per
// iteration (run it with -benchtime 1x) and reports the database's size per
// hash after VACUUM.
func BenchmarkPwnedImport(b *testing.B) {
	const n = 1_000_000
	for _, sp := range benchSpreads {
		b.Run(sp.name, func(b *testing.B) {
			ds, counts := randomCorpus(rand.New(rand.NewPCG(7, 8)), store.PwnedSHA1, n, sp.spread)
			var s *store.Store
			for b.Loop() {
				b.StopTimer()
				s = storetest.New(b)
				b.StartTimer()
				importCorpus(b, s, store.PwnedSHA1, 0, ds, counts)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "hashes/s")
			b.ReportMetric(float64(vacuumedSize(b, s.Path()))/n, "dbbytes/hash")
		})
	}
}

// vacuumedSize compacts the database at path and returns its size in bytes.
func vacuumedSize(b *testing.B, path string) int64 {
	b.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var size int64
	if _, err := db.Exec(`VACUUM`); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	return size
}

// BenchmarkPwnedCount looks up digests, half of them present, in ranges of
// the public corpus's density.
func BenchmarkPwnedCount(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(9, 10))
	ds, counts := randomCorpus(rng, store.PwnedSHA1, 256_000, 256)
	misses, _ := randomCorpus(rng, store.PwnedSHA1, 1000, 256)
	s := storetest.New(b)
	importCorpus(b, s, store.PwnedSHA1, 0, ds, counts)
	probe := func(i int) []byte {
		if i%2 == 0 {
			return ds[(i*7919)%len(ds)]
		}
		return misses[i%len(misses)]
	}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.PwnedCount(ctx, store.PwnedSHA1, probe(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(ds))
			for pb.Next() {
				if _, err := s.PwnedCount(ctx, store.PwnedSHA1, probe(i)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
}

// BenchmarkPwnedImportUnsorted imports one million shuffled SHA-1 digests at
// the public corpus's density through a PwnedSorter (run it with
// -benchtime 1x).
func BenchmarkPwnedImportUnsorted(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	ds, counts := randomCorpus(rng, store.PwnedSHA1, n, 1024)
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	for b.Loop() {
		b.StopTimer()
		s := storetest.New(b)
		b.StartTimer()
		p, err := store.NewPwnedSorter(store.PwnedSHA1, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range ds {
			if err := p.Add(d, counts[string(d)]); err != nil {
				b.Fatal(err)
			}
		}
		w, err := s.NewPwnedWriter(store.PwnedSHA1)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.WriteTo(ctx, w); err != nil {
			b.Fatal(err)
		}
		if err := errors.Join(w.Close(ctx), p.Close()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "hashes/s")
}
