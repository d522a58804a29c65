package account

import (
	"testing"
	"time"
)

func TestThrottleGrowsThenRelaxes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(func() time.Time { return now })
	for i := range th.Free {
		if w := th.Wait("a"); w != 0 {
			t.Fatalf("failure %d: wait %v within the free allowance", i, w)
		}
		th.Fail("a")
	}
	if w := th.Wait("a"); w != 0 {
		t.Fatalf("after %d failures: wait %v", th.Free, w)
	}
	var waits []time.Duration
	for range 4 {
		th.Fail("a")
		waits = append(waits, th.Wait("a"))
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] != 2*waits[i-1] {
			t.Fatalf("waits do not double: %v", waits)
		}
	}
	if waits[0] != th.Base {
		t.Fatalf("first wait %v, want %v", waits[0], th.Base)
	}
	if w := th.Wait("b"); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
	if w := th.Wait("b", "a"); w != waits[3] {
		t.Fatalf("the longest wait of the keys counts: %v", w)
	}

	// Many more failures: the wait is capped, never permanent.
	for range 50 {
		th.Fail("a")
	}
	if w := th.Wait("a"); w != th.Cap {
		t.Fatalf("capped wait %v, want %v", w, th.Cap)
	}
	now = now.Add(th.Cap)
	if w := th.Wait("a"); w != 0 {
		t.Fatalf("after the cap has passed: wait %v", w)
	}

	// Quiet for the forget period: the count starts afresh.
	now = now.Add(th.Forget + time.Second)
	th.Fail("a")
	if w := th.Wait("a"); w != 0 {
		t.Fatalf("a forgotten key waits %v after one failure", w)
	}

	// Success clears.
	for range th.Free + 1 {
		th.Fail("c")
	}
	th.Succeed("c")
	if w := th.Wait("c"); w != 0 {
		t.Fatalf("wait %v after success", w)
	}
}
