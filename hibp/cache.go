package hibp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"pcmt/store"
)

// cacheName is the key of the answer to url: an HMAC under the server's
// secret, so the table neither shows the accounts searched nor lets anyone
// without the secret test a guess against it.
func (c *Client) cacheName(url string) []byte {
	m := hmac.New(sha256.New, c.cacheKey)
	m.Write([]byte("GET " + url))
	return m.Sum(nil)
}

// fetch answers r from the cache when fresh, otherwise from HIBP, keeping
// what keep makes of a 200 body (and a 404 as such) for next time.
func (c *Client) fetch(ctx context.Context, r request, keep func([]byte) ([]byte, error)) (status int, body []byte, fromCache bool, err error) {
	var key []byte
	if c.caching() {
		key = c.cacheName(r.url)
		body, status, err := c.store.HIBPCacheGet(ctx, key, c.cacheTTL, c.now())
		if err == nil {
			return status, body, true, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return 0, nil, false, fmt.Errorf("hibp: %s: %w", r.endpoint, err)
		}
	}
	status, body, err = c.get(ctx, r)
	if err != nil || key == nil {
		return status, body, false, err
	}
	kept := []byte{}
	if status == 200 {
		if kept, err = keep(body); err != nil {
			return 0, nil, false, err
		}
	}
	if err := c.store.HIBPCachePut(ctx, key, kept, status, c.now()); err != nil {
		return 0, nil, false, fmt.Errorf("hibp: %s: %w", r.endpoint, err)
	}
	return status, body, false, nil
}

func keepAll(body []byte) ([]byte, error) { return body, nil }

// PruneCache deletes the cached answers older than the cache's TTL, saying
// how many went. The server calls it now and then.
func (c *Client) PruneCache(ctx context.Context) (int64, error) {
	if !c.caching() {
		return 0, nil
	}
	n, err := c.store.HIBPCachePrune(ctx, c.now().Add(-c.cacheTTL))
	if err != nil {
		return 0, fmt.Errorf("hibp: prune cache: %w", err)
	}
	return n, nil
}
