package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// sessionCache keeps recent SessionUser answers in memory: every signed-in
// request looks its session up, and a SQLite read costs several times a
// whole page.
//
// Every write transaction of this process moves the generation on, and an
// answer read under an older generation is never served: a revocation, role
// change or password change made through this process applies to the very
// next request. A change made by another process on the same file (pcmt
// user passwd while pcmt serve runs) reaches the cache within sessionTTL.
type sessionCache struct {
	gen atomic.Uint64
	now func() time.Time

	mu sync.RWMutex
	m  map[string]cachedSession
}

// sessionTTL bounds how long an answer is served without reading the file.
const sessionTTL = 2 * time.Second

// sessionCacheMax bounds the memory: a full cache starts over.
const sessionCacheMax = 10_000

type cachedSession struct {
	sess Session
	user User
	gen  uint64
	at   time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{now: time.Now, m: map[string]cachedSession{}}
}

// get returns copies of a current answer.
func (c *sessionCache) get(idHash []byte) (*Session, *User, bool) {
	c.mu.RLock()
	e, ok := c.m[string(idHash)]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || c.now().Sub(e.at) > sessionTTL {
		return nil, nil, false
	}
	sess, user := e.sess, e.user
	return &sess, &user, true
}

// put keeps an answer read while the generation was gen.
func (c *sessionCache) put(gen uint64, sess *Session, user *User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= sessionCacheMax {
		c.m = map[string]cachedSession{}
	}
	c.m[string(sess.IDHash)] = cachedSession{sess: *sess, user: *user, gen: gen, at: c.now()}
}

// changed is called after every write transaction.
func (c *sessionCache) changed() { c.gen.Add(1) }
