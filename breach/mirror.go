package breach

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sync/singleflight"

	"pcmt/hibp"
	"pcmt/store"
)

// Mirror makes /range a read-through mirror of the Pwned Passwords range
// API: a range the instance has never stored is fetched from upstream on
// its first ask, kept as a synced range (with its validators, so that a
// later `pcmt corpus sync` only confirms it), and served from the database
// afterwards. Until a full sync, the instance then answers what upstream
// would, never a false "not found".
type Mirror struct {
	Store   *store.Store
	Fetcher *hibp.RangeFetcher

	group singleflight.Group
}

// mirrorTimeout bounds one fill, waits for upstream included.
const mirrorTimeout = 10 * time.Second

// NewMirror fetches from url with a fetcher made for requests someone
// waits on: few retries, short waits.
func NewMirror(st *store.Store, url, userAgent string) (*Mirror, error) {
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: url, UserAgent: userAgent, Connections: 4,
		Attempts: 2, RateLimited: 1, Backoff: 200 * time.Millisecond, MaxBackoff: time.Second, MaxRetryAfter: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	return &Mirror{Store: st, Fetcher: f}, nil
}

// ErrUpstream is what a fill that failed wraps: the caller answers 503.
var ErrUpstream = errors.New("the Pwned Passwords range API could not be asked")

// Fill makes sure the range (mode, prefix) is stored as upstream has it
// when it was never stored: a range with rows, or one a sync or an earlier
// fill fetched (upstream may hold nothing of it), is left as it is. Asks
// for one range at once share one fetch.
func (m *Mirror) Fill(ctx context.Context, mode store.PwnedMode, prefix uint32) error {
	key := string(mode) + strconv.FormatUint(uint64(prefix), 16)
	_, err, _ := m.group.Do(key, func() (any, error) {
		// The fetch runs on for the callers that share it, even when the
		// first one gives up.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mirrorTimeout)
		defer cancel()
		return nil, m.fill(fctx, mode, prefix)
	})
	return err
}

func (m *Mirror) fill(ctx context.Context, mode store.PwnedMode, prefix uint32) error {
	fetched, err := m.Store.PwnedRangeFetched(ctx, mode, prefix)
	if err != nil || fetched {
		return err
	}
	var stored bool
	if err := m.Store.WithPwnedRange(ctx, mode, prefix, func(r store.PwnedRange) error {
		stored = r.N > 0
		return nil
	}); err != nil || stored {
		return err
	}
	a, err := m.Fetcher.Fetch(ctx, string(mode), prefix, hibp.Validators{})
	if err != nil {
		return fmt.Errorf("%w: range %05X: %w", ErrUpstream, prefix, err)
	}
	r, err := storedRange(mode, prefix, a)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	_, err = m.Store.CommitPwnedSync(ctx, store.MirrorJob, mode, []*store.PwnedSyncRange{r}, time.Now())
	return err
}
