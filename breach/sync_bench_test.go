package breach_test

import (
	"context"
	"path/filepath"
	"testing"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
	"pcmt/store/storetest"
)

// BenchmarkSync syncs 16,384 ranges of about 19 hashes from a local range
// API into a fresh database, then again (every range 304): ranges/s of
// pcmt and the fake upstream together, on the same machine. bench/sync.sh
// measures the whole corpus.
func BenchmarkSync(b *testing.B) {
	const space = 1 << 14
	c := hibptest.Generate(hibp.ModeSHA1, 1, space, 10)
	up, err := hibptest.Start("127.0.0.1:0", c)
	if err != nil {
		b.Fatal(err)
	}
	defer up.Close()
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: up.URL, Connections: breach.DefaultSyncWorkers})
	if err != nil {
		b.Fatal(err)
	}
	for _, again := range []bool{false, true} {
		name := "fresh"
		if again {
			name = "304"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st := storetest.Open(b, filepath.Join(b.TempDir(), "pcmt.db"))
				if _, err := st.Migrate(context.Background()); err != nil {
					b.Fatal(err)
				}
				s := &breach.Syncer{Store: st, Fetcher: f, Space: space}
				sync := func() {
					job, _, err := s.Begin(context.Background(), "cli", 0, store.PwnedSHA1)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.Run(context.Background(), job, nil); err != nil {
						b.Fatal(err)
					}
				}
				if again {
					sync()
				}
				b.StartTimer()
				sync()
			}
			b.ReportMetric(float64(space)*float64(b.N)/b.Elapsed().Seconds(), "ranges/s")
		})
	}
}
