package monitor

import (
	"testing"
	"time"
)

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	o := &Outbox{opts: OutboxOptions{}.withDefaults()}
	for attempts, want := range map[int]time.Duration{
		0: time.Minute, 1: 2 * time.Minute, 2: 4 * time.Minute, 8: 256 * time.Minute,
		9: 6 * time.Hour, 40: 6 * time.Hour, 1 << 30: 6 * time.Hour,
	} {
		if got := o.backoff(attempts); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}
