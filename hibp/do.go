package hibp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxBody caps what is read of an answer; the full breach list is a few MiB.
const maxBody = 16 << 20

// maxRetries bounds the retries of a request HIBP answered 429.
const maxRetries = 3

// request is one GET. endpoint names it in errors: the URL may hold the
// searched account and must not reach a log.
type request struct {
	endpoint string
	url      string
	auth     bool // send the API key; spaced by the key's rate
	padding  bool // Add-Padding: true (range)
}

// get sends r, waiting its turn and retrying on 429, and returns a 200 or
// 404 answer; any other status is an error.
func (c *Client) get(ctx context.Context, r request) (status int, body []byte, err error) {
	sched := c.open
	if r.auth {
		if c.key() == "" {
			return 0, nil, fmt.Errorf("hibp: %s: %w", r.endpoint, ErrNoKey)
		}
		sched = c.auth
	}
	for attempt := 0; ; attempt++ {
		if err := sched.wait(ctx); err != nil {
			return 0, nil, fmt.Errorf("hibp: %s: %w", r.endpoint, err)
		}
		resp, err := c.send(ctx, r)
		if err != nil {
			return 0, nil, err
		}
		body, err := readBody(resp, maxBody)
		if err != nil {
			return 0, nil, fmt.Errorf("hibp: %s: %w", r.endpoint, err)
		}
		switch resp.StatusCode {
		case http.StatusOK, http.StatusNotFound:
			return resp.StatusCode, body, nil
		case http.StatusTooManyRequests:
			wait := retryAfter(resp.Header.Get("Retry-After"))
			sched.pause(time.Now().Add(wait))
			if attempt == maxRetries || wait > sched.maxWait {
				return 0, nil, fmt.Errorf("hibp: %s: %w: retry after %s", r.endpoint, ErrRateLimited, wait)
			}
		case http.StatusUnauthorized:
			return 0, nil, fmt.Errorf("hibp: %s: %w", r.endpoint, ErrBadKey)
		case http.StatusForbidden:
			return 0, nil, fmt.Errorf("hibp: %s: %w", r.endpoint, ErrForbidden)
		default:
			return 0, nil, &StatusError{Endpoint: r.endpoint, Status: resp.StatusCode}
		}
	}
}

func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("hibp: %s: build request: %w", r.endpoint, unwrapURL(err))
	}
	req.Header.Set("User-Agent", c.userAgent)
	if r.auth {
		req.Header.Set("hibp-api-key", c.key())
	}
	if r.padding {
		req.Header.Set("Add-Padding", "true")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("hibp: %s: %w", r.endpoint, unwrapURL(err))
	}
	return resp, nil
}

// unwrapURL drops the *url.Error layer, whose text holds the whole URL and
// with it the searched account.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readBody reads an answer of at most limit bytes; a longer one is an
// error, as is a read that fails.
func readBody(resp *http.Response, limit int) ([]byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", unwrapURL(err))
	}
	if len(body) > limit {
		return nil, fmt.Errorf("answer larger than %d MiB", limit>>20)
	}
	return body, nil
}

// retryAfter reads a retry-after header in seconds (HIBP's form) or as an
// HTTP date; a missing or odd one means 2s.
func retryAfter(h string) time.Duration {
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 2 * time.Second
}
