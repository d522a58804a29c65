package hibp

import "time"

// PausedUntil exposes, to tests, until when c holds authenticated requests
// back after a 429.
func PausedUntil(c *Client) time.Time {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.paused
}
