package hibp

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// scheduler spaces requests at least interval apart and holds all of them
// back while HIBP has asked for a pause (429 + retry-after). One is shared
// by every caller of a Client: the API key's rate is per key, not per
// request.
type scheduler struct {
	interval time.Duration
	maxWait  time.Duration // a longer wait fails at once with ErrRateLimited

	mu     sync.Mutex
	next   time.Time // earliest start of the next request
	paused time.Time // no request starts before this
}

// wait blocks until the caller may send one request, or fails when that
// would be later than maxWait or the context's deadline.
func (s *scheduler) wait(ctx context.Context) error {
	for {
		s.mu.Lock()
		now := time.Now()
		at := now
		if s.next.After(at) {
			at = s.next
		}
		if s.paused.After(at) {
			at = s.paused
		}
		d := at.Sub(now)
		if d > s.maxWait {
			s.mu.Unlock()
			return fmt.Errorf("%w: next request possible in %s", ErrRateLimited, d.Round(time.Second))
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(at) {
			s.mu.Unlock()
			return fmt.Errorf("%w: next request possible after the deadline", ErrRateLimited)
		}
		s.next = at.Add(s.interval)
		pausedBefore := s.paused
		s.mu.Unlock()

		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		// A 429 seen while this caller slept pauses it too.
		s.mu.Lock()
		repaused := s.paused.After(pausedBefore) && s.paused.After(time.Now())
		s.mu.Unlock()
		if !repaused {
			return nil
		}
	}
}

// pause holds every request back until until.
func (s *scheduler) pause(until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.paused) {
		s.paused = until
	}
}
