package account

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. Failures are counted per account
// and per client address; past a free allowance each further failure doubles
// the wait before the next attempt is accepted, up to a cap. Waits always
// end, so an attacker can never lock an account for good, and a success
// clears the account's count.
type Throttle struct {
	now func() time.Time

	// Free failures before waits begin, the first wait, its cap, and how
	// long a quiet key takes to be forgotten.
	Free     int
	Base     time.Duration
	Cap      time.Duration
	Forget   time.Duration
	mu       sync.Mutex
	counters map[string]*failures
}

type failures struct {
	count int
	last  time.Time
	until time.Time // attempts refused before this
}

// NewThrottle allows 5 free failures, then waits of 2 s, 4 s, … up to 15
// minutes; a key quiet for an hour starts afresh.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{now: now, Free: 5, Base: 2 * time.Second, Cap: 15 * time.Minute,
		Forget: time.Hour, counters: map[string]*failures{}}
}

// Wait returns how long the keys must wait before another attempt; zero
// when an attempt may go ahead now.
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		if f := t.get(k, now); f != nil && f.until.After(now) {
			wait = max(wait, f.until.Sub(now))
		}
	}
	return wait
}

// Fail counts a failed attempt against every key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys {
		f := t.get(k, now)
		if f == nil {
			f = &failures{}
			t.counters[k] = f
		}
		f.count++
		f.last = now
		if over := f.count - t.Free; over > 0 {
			d := t.Base << min(over-1, 20)
			f.until = now.Add(min(d, t.Cap))
		}
	}
	if len(t.counters) > 100_000 {
		t.sweep(now)
	}
}

// Succeed clears a key after a successful attempt.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.counters, key)
}

func (t *Throttle) get(k string, now time.Time) *failures {
	f := t.counters[k]
	if f != nil && now.Sub(f.last) > t.Forget && !f.until.After(now) {
		delete(t.counters, k)
		return nil
	}
	return f
}

func (t *Throttle) sweep(now time.Time) {
	for k := range t.counters {
		t.get(k, now)
	}
}
