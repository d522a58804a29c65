package rangeapi

import (
	"math/rand/v2"
	"testing"
	"time"

	"pcmt/store"
)

func TestRangeCacheKeepsHotRangesNotUniformTraffic(t *testing.T) {
	rc := newRangeCache(rangeCacheBytes)
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	hot := rangeKey{store.PwnedSHA1, 0x21BD1}

	// A range asked for over and over is kept after its first few asks.
	for i := 1; i <= rangeAdmitHits; i++ {
		if got := rc.admit(hot, start); got != (i == rangeAdmitHits) {
			t.Fatalf("ask %d of a hot range: admit = %v", i, got)
		}
	}

	// Uniform traffic like bench/range.sh's (26 k asks a second over 22,222
	// ranges, ~1.2 asks a range a second) reaches three asks within a second
	// for about one ask in nine; with the bar raised to four times the
	// average, hardly ever.
	rng := rand.New(rand.NewPCG(1, 2))
	const ranges, perSecond, seconds = 22_222, 26_000, 10
	admitted := 0
	for s := 1; s <= seconds; s++ {
		for i := range perSecond {
			now := start.Add(time.Duration(s)*time.Second + time.Duration(i)*time.Second/perSecond)
			if rc.admit(rangeKey{store.PwnedSHA1, rng.Uint32N(ranges)}, now) && s > 1 {
				admitted++
			}
		}
	}
	if limit := perSecond * (seconds - 1) / 1000; admitted > limit {
		t.Fatalf("uniform traffic: %d of %d asks admitted, want at most %d", admitted, perSecond*(seconds-1), limit)
	}

	// A range asked for as often as the raised bar is still kept.
	now := start.Add((seconds + 1) * time.Second)
	bar := 0
	for !rc.admit(hot, now) {
		bar++
		if bar > 100 {
			t.Fatal("a range asked 100 times within a second is not kept")
		}
	}
	if bar+1 <= rangeAdmitHits {
		t.Fatalf("the bar stayed at %d after uniform traffic", bar+1)
	}
}
