package hibp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"pcmt/hibp"
	"pcmt/store"
	"pcmt/store/storetest"
)

// cachedClient is a client of f caching in a fresh database, on a clock the
// test moves.
func cachedClient(t *testing.T, f *fake, now *time.Time) (*hibp.Client, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	c := newClient(t, f, func(o *hibp.Options) {
		o.Store, o.CacheTTL, o.CacheKey = s, time.Hour, bytes.Repeat([]byte{7}, 32)
		o.Now = func() time.Time { return *now }
	})
	return c, s
}

func TestCacheHitAndStale(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	c, _ := cachedClient(t, f, &now)

	first, err := c.BreachedAccount(ctx, testUser, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	// A hit asks nothing of breachedaccount; the details come from the
	// breach list and, for the breach newer than the list, /breach/.
	now = now.Add(59 * time.Minute)
	second, err := c.BreachedAccount(ctx, testUser, " Alice@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("cached answer differs:\n%+v\n%+v", first, second)
	}
	if f.count("breachedaccount") != 1 || f.count("breaches") != 1 || f.count("breach") != 1 {
		t.Fatalf("requests: %v", f.hits)
	}
	// Breach list and breach are cached too.
	if _, err := c.Breaches(ctx); err != nil || f.count("breaches") != 1 {
		t.Fatalf("breaches: %v, %d requests", err, f.count("breaches"))
	}

	// A 404 is cached.
	for range 2 {
		if got, err := c.BreachedAccount(ctx, testUser, "nobody@example.com"); err != nil || len(got) != 0 {
			t.Fatalf("not pwned: %v %v", got, err)
		}
	}
	if n := f.count("breachedaccount"); n != 2 {
		t.Fatalf("404 not cached: %d requests", n)
	}

	// Past the TTL, it asks again.
	now = now.Add(2 * time.Minute)
	if _, err := c.BreachedAccount(ctx, testUser, "alice@example.com"); err != nil || f.count("breachedaccount") != 3 {
		t.Fatalf("stale: %v, %d requests", err, f.count("breachedaccount"))
	}

	// An hour on, PruneCache drops what is older than the TTL: nobody's
	// 404, the breach list and Collection1, all fetched at minute 59;
	// alice's answer of minute 61 stays.
	now = now.Add(time.Hour)
	n, err := c.PruneCache(ctx)
	if err != nil || n != 3 {
		t.Fatalf("prune: %d %v", n, err)
	}
}

// Each user has a cache of their own: what one looked up never answers
// another (whose lookup reaches HIBP as if nobody had asked before), and
// the breach a cached answer names beyond the list is fetched in the same
// user's cache. Only the public breach list is shared.
func TestCacheIsPerUser(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	c, _ := cachedClient(t, f, &now)
	const ann, bob = 1, 2
	counts := func() [3]int { return [3]int{f.count("breachedaccount"), f.count("breaches"), f.count("breach")} }

	for i, step := range []struct {
		user    int64
		account string
		want    [3]int // breachedaccount, breaches, breach requests so far
	}{
		{ann, "alice@example.com", [3]int{1, 0, 0}},
		{bob, "Alice@Example.com", [3]int{2, 0, 0}}, // not ann's answer
		{ann, "alice@example.com", [3]int{2, 1, 1}}, // ann's: Collection1 from /breach/
		{bob, "alice@example.com", [3]int{2, 1, 2}}, // bob's: the list shared, Collection1 not
		{ann, "nobody@example.com", [3]int{3, 1, 2}},
		{bob, "nobody@example.com", [3]int{4, 1, 2}}, // a 404 is no more shared than a hit
		{bob, "nobody@example.com", [3]int{4, 1, 2}},
	} {
		got, err := c.BreachedAccount(ctx, step.user, step.account)
		if err != nil || len(got) != 3 && step.account == "alice@example.com" {
			t.Fatalf("step %d: %d breaches, %v", i, len(got), err)
		}
		if counts() != step.want {
			t.Fatalf("step %d (user %d): requests %v, want %v", i, step.user, counts(), step.want)
		}
	}
	// Asked for by name, a breach is public: neither user's copy serves it.
	for range 2 {
		if b, err := c.Breach(ctx, "Collection1"); err != nil || b.Name != "Collection1" || f.count("breach") != 3 {
			t.Fatalf("public breach: %v, %d requests", err, f.count("breach"))
		}
	}
	if _, err := c.BreachedAccount(ctx, 0, "alice@example.com"); err == nil || f.count("breachedaccount") != 4 {
		t.Fatalf("a lookup for nobody: %v, %d requests", err, f.count("breachedaccount"))
	}
	// Ranges are never cached: a kept prefix would show that someone
	// checked a password starting with it.
	f.set(func(f *fake) { f.ranges["sha1/5BAA6"] = padded(35, "1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004") })
	for i := range 2 {
		if _, err := c.Range(ctx, "5BAA6", hibp.ModeSHA1); err != nil || f.count("range") != i+1 {
			t.Fatalf("range %d: %v, %d requests", i, err, f.count("range"))
		}
	}
}

func TestCacheOffWithoutTTL(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	s := storetest.New(t)
	c := newClient(t, f, func(o *hibp.Options) { o.Store = s }) // CacheTTL 0
	for range 2 {
		if _, err := c.BreachedAccount(ctx, testUser, "bob"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("breachedaccount"); n != 2 {
		t.Fatalf("requests: %d", n)
	}
	if _, err := hibp.New(hibp.Options{Store: s, CacheTTL: time.Hour, CacheKey: []byte("short")}); err == nil {
		t.Fatal("caching with a short key")
	}
}

// Neither the table nor the database files show which account was
// searched: not the address, nor its plain SHA-256.
func TestCacheDoesNotRevealAccount(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	c, s := cachedClient(t, f, &now)
	const account = "alice@example.com"
	if _, err := c.BreachedAccount(ctx, testUser, account); err != nil {
		t.Fatal(err)
	}

	sum := sha256.Sum256([]byte(account))
	secrets := [][]byte{[]byte(account), []byte("alice%40example.com"), sum[:],
		[]byte(hex.EncodeToString(sum[:])), []byte(strings.ToUpper(hex.EncodeToString(sum[:])))}

	dump := dumpCache(t, s)
	if !strings.Contains(string(dump), `["Adobe","LinkedIn","Collection1"]`) {
		t.Fatalf("breachedaccount answer not kept as names:\n%q", dump)
	}
	if bytes.Contains(dump, []byte(`"Name"`)) {
		t.Fatal("breachedaccount answer kept in full")
	}
	files, _ := filepath.Glob(s.Path() + "*") // the database, its WAL
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dump = append(dump, data...)
	}
	for _, secret := range secrets {
		if bytes.Contains(bytes.ToLower(dump), bytes.ToLower(secret)) {
			t.Fatalf("the cache shows %q", secret)
		}
	}
}

// dumpCache is every column of every row of hibp_cache, as a backup would
// show them.
func dumpCache(t *testing.T, s *store.Store) []byte {
	t.Helper()
	db := openRaw(t, s.Path())
	rows, err := db.Query(`SELECT key, body, status, fetched_at FROM hibp_cache`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []byte
	n := 0
	for rows.Next() {
		var key, body []byte
		var status int
		var fetched string
		if err := rows.Scan(&key, &body, &status, &fetched); err != nil {
			t.Fatal(err)
		}
		if len(key) != sha256.Size {
			t.Fatalf("key of %d bytes", len(key))
		}
		out = append(append(append(out, key...), body...), fetched...)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("nothing cached")
	}
	return out
}
