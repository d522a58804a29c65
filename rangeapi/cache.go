package rangeapi

import (
	"context"
	"sync"
	"time"

	"pcmt/store"
)

// rangeCache keeps the formatted answers of recently asked ranges: real
// traffic concentrates on few prefixes, and a kept answer is one copy into
// the response instead of a read and a thousand formatted lines. Entries
// are dropped when this process writes to a corpus and after rangeTTL
// (an import by `pcmt import` shows within that time).
//
// The cache is shared by every caller, unlike the HIBP cache of account
// lookups (see package hibp), because it tells nothing about anyone: a
// range's answer is the same public data for all, its prefix is what the
// k-anonymity model lets the server and every proxy see anyway, and a
// range is kept only once asked for several times within a second (see
// admit), so one user's single check never warms it for the next caller.
type rangeCache struct {
	mu      sync.Mutex
	entries map[rangeKey]*rangeEntry
	seen    map[rangeKey]int // asks for ranges not kept, this second; see admit
	asks    int              // their sum
	bar     int              // asks within a second that make a range kept
	window  time.Time        // when the current second began
	size    int              // bytes held
	max     int
}

type rangeKey struct {
	mode   store.PwnedMode
	prefix uint32
}

// rangeEntry is one range as read and as answered.
type rangeEntry struct {
	raw  store.PwnedRange
	body []byte // the unpadded answer
	etag []byte
	gen  uint64
	at   time.Time
}

const (
	rangeTTL        = time.Minute
	rangeCacheBytes = 32 << 20 // ~800 ranges of the public corpus's density
	rangeSeenMax    = 1 << 16  // ranges counted in one second, at most
	rangeAdmitHits  = 3        // asks within a second that make a range kept, at least
	rangeHotFactor  = 4        // … and how many times the average range's asks
)

func newRangeCache(max int) *rangeCache {
	return &rangeCache{entries: map[rangeKey]*rangeEntry{}, seen: map[rangeKey]int{}, max: max, bar: rangeAdmitHits}
}

// fresh returns the kept answer of key when it is current.
func (rc *rangeCache) fresh(key rangeKey, gen uint64, now time.Time) (*rangeEntry, bool) {
	rc.mu.Lock()
	e, ok := rc.entries[key]
	rc.mu.Unlock()
	return e, ok && e.gen == gen && now.Sub(e.at) < rangeTTL
}

// admit says whether key is worth keeping: asked for within the current
// second as often as the bar, which is rangeAdmitHits or rangeHotFactor
// times what the ranges not kept were asked for on average in the previous
// second, whichever is more. Traffic spread over the whole corpus is
// answered from the rows without filling and churning the cache (uniform
// asks rarely reach four times their own average), and a hot range is kept
// after its first few asks. Kept ranges are not counted, so they do not
// raise the bar.
func (rc *rangeCache) admit(key rangeKey, now time.Time) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if now.Sub(rc.window) >= time.Second || len(rc.seen) >= rangeSeenMax {
		rc.bar = rangeAdmitHits
		if len(rc.seen) > 0 {
			rc.bar = max(rangeAdmitHits, (rangeHotFactor*rc.asks+len(rc.seen)-1)/len(rc.seen))
		}
		clear(rc.seen)
		rc.asks = 0
		rc.window = now
	}
	rc.asks++
	rc.seen[key]++
	return rc.seen[key] >= rc.bar
}

// load reads and formats a range and keeps it.
func (rc *rangeCache) load(ctx context.Context, st *store.Store, key rangeKey, gen uint64, now time.Time) (*rangeEntry, error) {
	r, err := st.PwnedRange(ctx, key.mode, key.prefix)
	if err != nil {
		return nil, err
	}
	buf := rangeBufs.Get().(*rangeBuf)
	e := &rangeEntry{raw: r, etag: appendRangeETag(nil, r), gen: gen, at: now}
	e.body, buf.hex = appendRange([]byte{}, buf.hex, r)
	rangeBufs.Put(buf)
	rc.put(key, e)
	return e, nil
}

func (rc *rangeCache) put(key rangeKey, e *rangeEntry) {
	cost := len(e.body) + len(e.raw.Data)
	if cost > rc.max {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old, ok := rc.entries[key]; ok {
		rc.size -= len(old.body) + len(old.raw.Data)
	}
	// Over budget, drop entries in map order: random enough to keep the
	// hot ones most of the time, without the bookkeeping of an LRU.
	for k, old := range rc.entries {
		if rc.size+cost <= rc.max {
			break
		}
		rc.size -= len(old.body) + len(old.raw.Data)
		delete(rc.entries, k)
	}
	rc.entries[key] = e
	rc.size += cost
}
