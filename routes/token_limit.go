package routes

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// tokenLimiter bounds the requests per minute of each API token, the way
// HIBP rate-limits its keys: over the limit, 429 with retry-after (whole
// seconds until the token's minute is over).
type tokenLimiter struct {
	max int // per minute; 0: no limit
	mu  sync.Mutex
	win map[int64]*tokenWindow
}

type tokenWindow struct {
	start time.Time
	n     int
}

func newTokenLimiter(max int) *tokenLimiter {
	return &tokenLimiter{max: max, win: map[int64]*tokenWindow{}}
}

// allow counts a request of token at now; when refused, wait says how long
// until the next is allowed.
func (l *tokenLimiter) allow(token int64, now time.Time) (ok bool, wait time.Duration) {
	if l.max == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, found := l.win[token]
	if !found || now.Sub(w.start) >= time.Minute {
		if len(l.win) > 10000 {
			for id, old := range l.win {
				if now.Sub(old.start) >= time.Minute {
					delete(l.win, id)
				}
			}
		}
		w = &tokenWindow{start: now}
		l.win[token] = w
	}
	if w.n >= l.max {
		return false, w.start.Add(time.Minute).Sub(now)
	}
	w.n++
	return true, 0
}

// tooManyRequests is the 429 of a token over its rate.
func tooManyRequests(c *fiber.Ctx, wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(secs, 1)))
	return apiError(c, fiber.StatusTooManyRequests, "rate_limited",
		"Rate limit is exceeded. Try again in "+strconv.Itoa(max(secs, 1))+" seconds.")
}
