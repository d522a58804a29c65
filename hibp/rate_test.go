package hibp_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"pcmt/hibp"
)

// Concurrent callers share the key's rate: the k-th request the fake sees
// arrives no sooner than k intervals after the first call began. (Each
// request arrives after it was sent and the scheduler sends them at least an
// interval apart, so the bound holds however the goroutines are scheduled.)
func TestRateSharedByConcurrentCalls(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	const interval = 30 * time.Millisecond
	c := newClient(t, f, func(o *hibp.Options) { o.MinInterval = interval })
	const n = 8
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := c.BreachedAccount(ctx, testUser, fmt.Sprintf("user%d@example.com", i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	at := f.arrivals()
	if len(at) != n {
		t.Fatalf("%d requests, want %d", len(at), n)
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	for k, a := range at {
		if since := a.Sub(start); since < time.Duration(k)*interval {
			t.Fatalf("request %d arrived %s after the start, before %d intervals", k, since, k)
		}
	}
}

// RatePerMinute sets the interval: at 10 a minute the second request would
// wait 6s, longer than MaxRetryWait, so it fails at once without a request.
func TestRatePerMinute(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	c := newClient(t, f, func(o *hibp.Options) {
		o.MinInterval, o.RatePerMinute, o.MaxRetryWait = 0, 10, time.Second
	})
	if _, err := c.BreachedAccount(ctx, testUser, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BreachedAccount(ctx, testUser, "bob"); !errors.Is(err, hibp.ErrRateLimited) {
		t.Fatalf("second call: %v", err)
	}
	// A deadline before the caller's turn fails at once too.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	c2 := newClient(t, f, func(o *hibp.Options) { o.MinInterval = time.Hour; o.MaxRetryWait = 2 * time.Hour })
	if _, err := c2.BreachedAccount(ctx, testUser, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.BreachedAccount(short, testUser, "bob"); !errors.Is(err, hibp.ErrRateLimited) {
		t.Fatalf("past the deadline: %v", err)
	}
	if n := f.count("breachedaccount"); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

// A 429 pauses every authenticated caller for retry-after, and the limited
// request is retried.
func TestTooManyRequestsPausesEveryone(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	f.tooMany, f.retry, f.served = 1, "1", make(chan time.Time, 1)
	c := newClient(t, f, nil)

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		got, err := c.BreachedAccount(ctx, testUser, "alice@example.com")
		if err == nil && len(got) != 3 {
			err = fmt.Errorf("retried call: %d breaches", len(got))
		}
		errs <- err
	})
	limitedAt := <-f.served
	// The others start once the client has taken the 429 in.
	for hibp.PausedUntil(c).IsZero() {
		time.Sleep(time.Millisecond)
	}
	for i := range 3 {
		wg.Go(func() {
			_, err := c.BreachedAccount(ctx, testUser, fmt.Sprintf("user%d@example.com", i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	at := f.arrivals()
	if len(at) != 5 { // the limited one, its retry, three others
		t.Fatalf("%d requests, want 5", len(at))
	}
	later := 0
	for _, a := range at {
		if a.After(limitedAt) {
			later++
			if a.Sub(limitedAt) < time.Second {
				t.Fatalf("a request %s after the 429 with retry-after: 1", a.Sub(limitedAt))
			}
		}
	}
	if later != 4 {
		t.Fatalf("%d requests after the 429, want 4", later)
	}
}

func TestTooManyRequestsBounded(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	f.tooMany, f.retry = 100, "0"
	c := newClient(t, f, nil)
	if _, err := c.BreachedAccount(ctx, testUser, "bob"); !errors.Is(err, hibp.ErrRateLimited) {
		t.Fatalf("always 429: %v", err)
	}
	if n := f.count("breachedaccount"); n != 4 {
		t.Fatalf("%d attempts, want 1 and 3 retries", n)
	}

	// A pause longer than MaxRetryWait fails at once, and so does every
	// call during it, without a request.
	f.set(func(f *fake) { f.retry = "120" })
	c = newClient(t, f, nil)
	start := time.Now()
	for range 2 {
		if _, err := c.BreachedAccount(ctx, testUser, "bob"); !errors.Is(err, hibp.ErrRateLimited) {
			t.Fatalf("long pause: %v", err)
		}
	}
	if err := c.TestKey(ctx); !errors.Is(err, hibp.ErrRateLimited) {
		t.Fatalf("test key in a pause: %v", err)
	}
	if n := f.count("breachedaccount"); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("waited out a long pause")
	}
	// The free endpoints are not paused by the key's limit.
	if _, err := c.Breaches(ctx); err != nil {
		t.Fatal(err)
	}
}
