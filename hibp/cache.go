package hibp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"pcmt/store"
)

// scope is whose cache an answer belongs to. What one user asked about
// must never answer another: a shared entry would tell the second user,
// by its content or by an answer that skips the wait for HIBP's rate, that
// someone searched or watches the same account. So an answer about an
// account belongs to the user who asked, and so does every request made
// to complete it (a breach named in it but missing from the list). Public
// data, the same for everyone and asked for by nobody in particular, is
// shared: the breach list (read every 6 hours by the server anyway) and a
// breach asked for by name. Range answers are never cached at all: a
// cached prefix would show that someone checked a password starting with
// it.
type scope int64

// public is the scope of the answers shared by every user.
const public scope = 0

// userScope is the scope of what user id asks.
func userScope(id int64) scope { return scope(id) }

// cacheName is the key of the answer to url in scope: an HMAC under the
// server's secret, so the table shows neither the accounts searched nor
// who searched them (no user id is stored beside it), and nobody without
// the secret can test a guess against it. The scope comes first, in a
// fixed width, so that no URL of one scope names an entry of another.
func (c *Client) cacheName(sc scope, url string) []byte {
	m := hmac.New(sha256.New, c.cacheKey)
	var prefix [8]byte
	binary.BigEndian.PutUint64(prefix[:], uint64(sc))
	m.Write(prefix[:])
	m.Write([]byte("GET " + url))
	return m.Sum(nil)
}

// fetch answers r from sc's cache when fresh, otherwise from HIBP, keeping
// what keep makes of a 200 body (and a 404 as such) in sc for next time.
func (c *Client) fetch(ctx context.Context, sc scope, r request, keep func([]byte) ([]byte, error)) (status int, body []byte, fromCache bool, err error) {
	var key []byte
	if c.caching() {
		key = c.cacheName(sc, r.url)
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
