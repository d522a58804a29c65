package routes

import (
	"context"
	"fmt"
	"hash/crc32"
	"sync"
	"time"

	"pcmt/store"
)

// rangeCache keeps the formatted answers of recently asked ranges: real
// traffic concentrates on few prefixes, and a kept answer is one copy into
// the response instead of a read and a thousand formatted lines. Entries
// are dropped when this process writes to a corpus and after rangeTTL
// (an import by `pcmt import` shows within that time).
type rangeCache struct {
	mu      sync.Mutex
	entries map[rangeKey]*rangeEntry
	size    int // bytes held
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
	etag string
	gen  uint64
	at   time.Time
}

const (
	rangeTTL        = time.Minute
	rangeCacheBytes = 32 << 20 // ~800 ranges of the public corpus's density
)

func newRangeCache(max int) *rangeCache {
	return &rangeCache{entries: map[rangeKey]*rangeEntry{}, max: max}
}

// get returns the range's entry, reading it when it is not kept or stale.
func (rc *rangeCache) get(ctx context.Context, st *store.Store, mode store.PwnedMode, prefix uint32, now time.Time) (*rangeEntry, error) {
	key := rangeKey{mode, prefix}
	gen := st.PwnedGeneration()
	rc.mu.Lock()
	e, ok := rc.entries[key]
	rc.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < rangeTTL {
		return e, nil
	}
	r, err := st.PwnedRange(ctx, mode, prefix)
	if err != nil {
		return nil, err
	}
	e = &rangeEntry{raw: r, body: formatRange(r), gen: gen, at: now,
		etag: fmt.Sprintf(`"%s-%05X-%d-%08x"`, mode, prefix, r.N, crc32.ChecksumIEEE(r.Data))}
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
