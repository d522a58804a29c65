package store

/*
#include <stdlib.h>

// The SQLite library is the one github.com/mattn/go-sqlite3 compiles into
// the binary; these are the few calls of its C API that rangeReader makes.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
int sqlite3_close_v2(sqlite3 *db);
int sqlite3_busy_timeout(sqlite3 *db, int ms);
int sqlite3_exec(sqlite3 *db, const char *sql, void *callback, void *arg, char **errmsg);
int sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int flags, sqlite3_stmt **stmt, const char **tail);
int sqlite3_finalize(sqlite3_stmt *stmt);
int sqlite3_reset(sqlite3_stmt *stmt);
int sqlite3_bind_text(sqlite3_stmt *stmt, int i, const char *text, int n, void (*destructor)(void *));
int sqlite3_bind_int(sqlite3_stmt *stmt, int i, int v);
int sqlite3_step(sqlite3_stmt *stmt);
int sqlite3_column_int(sqlite3_stmt *stmt, int i);
const void *sqlite3_column_blob(sqlite3_stmt *stmt, int i);
int sqlite3_column_bytes(sqlite3_stmt *stmt, int i);
const char *sqlite3_errmsg(sqlite3 *db);

enum {
	pcmt_open_readonly = 0x00000001, // SQLITE_OPEN_READONLY
	pcmt_open_nomutex = 0x00008000,  // SQLITE_OPEN_NOMUTEX
	pcmt_prepare_persistent = 0x01,  // SQLITE_PREPARE_PERSISTENT
	pcmt_row = 100,                  // SQLITE_ROW
	pcmt_done = 101,                 // SQLITE_DONE
};

// pcmt_range is one step of the range query: the row's n and data, which
// stay valid until the statement is reset.
typedef struct {
	int rc;
	int n;
	const void *data;
	int size;
} pcmt_range;

static pcmt_range pcmt_read_range(sqlite3_stmt *stmt, int ntlm, int prefix) {
	// Static strings: SQLite keeps the pointer until the statement is reset.
	static const char sha1[] = "sha1", ntlmText[] = "ntlm";
	pcmt_range r = {0};
	sqlite3_bind_text(stmt, 1, ntlm ? ntlmText : sha1, 4, (void (*)(void *))0);
	sqlite3_bind_int(stmt, 2, prefix);
	r.rc = sqlite3_step(stmt);
	if (r.rc == pcmt_row) {
		r.n = sqlite3_column_int(stmt, 0);
		r.data = sqlite3_column_blob(stmt, 1);
		r.size = sqlite3_column_bytes(stmt, 1);
	}
	return r;
}
*/
import "C"

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// rangeReader reads ranges of the corpus through SQLite's C API rather
// than database/sql: a /range answer is one indexed row read, and going
// through database/sql costs a copy of the ~20 KB row into Go memory and a
// dozen small allocations each time, which under load is more work for the
// collector than the answer itself. Its connections are read-only, map the
// file like the reader pool, and each keeps its prepared statements.
//
// Each connection also keeps its read transaction open from one read to
// the next, for at most rangeTxnAge: beginning and ending a transaction
// per read (locks on the -shm file, a look at the file's size, the page
// cache checked against the WAL) cost as much as the read itself. A
// transaction ends early when this process writes to a corpus, so its own
// imports show at once; another process's (`pcmt import`) show within
// rangeTxnAge. Idle connections end theirs after rangeTxnAge too, so that
// no reader holds an old snapshot and keeps the WAL from being reset.
type rangeReader struct {
	path  string
	gen   *atomic.Uint64 // the store's corpus generation
	slots chan struct{}  // bounds the open connections
	stop  chan struct{}
	mu    sync.Mutex
	idle  []*rangeConn
	done  bool
}

// rangeTxnAge is how long a connection reads from one snapshot at most.
const rangeTxnAge = time.Second

type rangeConn struct {
	db                  *C.sqlite3
	stmt, begin, commit *C.sqlite3_stmt
	since               time.Time // when its transaction began; zero when none is open
	gen                 uint64    // the corpus generation then
}

func newRangeReader(path string, gen *atomic.Uint64, max int) *rangeReader {
	rr := &rangeReader{path: path, gen: gen, slots: make(chan struct{}, max), stop: make(chan struct{})}
	go rr.endIdle()
	return rr
}

// endIdle ends the transactions of connections left idle for rangeTxnAge.
func (rr *rangeReader) endIdle() {
	t := time.NewTicker(rangeTxnAge / 2)
	defer t.Stop()
	for {
		select {
		case <-rr.stop:
			return
		case now := <-t.C:
			rr.mu.Lock()
			for _, c := range rr.idle {
				if !c.since.IsZero() && now.Sub(c.since) >= rangeTxnAge {
					c.end()
				}
			}
			rr.mu.Unlock()
		}
	}
}

// read calls fn with the range's row in place; r.Data points into SQLite's
// memory and is valid only during fn.
func (rr *rangeReader) read(ctx context.Context, mode PwnedMode, prefix uint32, fn func(PwnedRange) error) error {
	select {
	case rr.slots <- struct{}{}:
	case <-ctx.Done():
		return wrap("pwned range", ctx.Err())
	}
	defer func() { <-rr.slots }()
	c, err := rr.get()
	if err != nil {
		return wrap("pwned range", err)
	}
	if err := c.snapshot(time.Now(), rr.gen.Load()); err != nil {
		rr.put(c)
		return wrap("pwned range", err)
	}
	ntlm := C.int(0)
	if mode == PwnedNTLM {
		ntlm = 1
	}
	row := C.pcmt_read_range(c.stmt, ntlm, C.int(prefix))
	// Deferred, so that a panic in fn does not leave the connection out of
	// the pool with its snapshot held.
	defer func() {
		C.sqlite3_reset(c.stmt)
		if row.rc != C.pcmt_row && row.rc != C.pcmt_done {
			c.end() // the next read begins afresh
		}
		rr.put(c)
	}()
	r := PwnedRange{Mode: mode, Prefix: prefix}
	switch row.rc {
	case C.pcmt_row:
		r.N = int(row.n)
		if row.size > 0 {
			r.Data = unsafe.Slice((*byte)(row.data), int(row.size))
		}
		if r.N < 0 || len(r.Data) < r.N*mode.keySize() {
			err = fmt.Errorf("store: pwned range %s %05X: corrupt row", mode, prefix)
		}
	case C.pcmt_done:
	default:
		err = wrap("pwned range", c.err("read", row.rc))
	}
	if err != nil {
		return err
	}
	return fn(r)
}

// snapshot makes sure c reads inside a transaction no older than
// rangeTxnAge that began after the corpus's last write by this process.
func (c *rangeConn) snapshot(now time.Time, gen uint64) error {
	if !c.since.IsZero() && (now.Sub(c.since) >= rangeTxnAge || gen != c.gen) {
		c.end()
	}
	if c.since.IsZero() {
		if rc := C.sqlite3_step(c.begin); rc != C.pcmt_done {
			C.sqlite3_reset(c.begin)
			return c.err("begin", rc)
		}
		C.sqlite3_reset(c.begin)
		c.since, c.gen = now, gen
	}
	return nil
}

// end ends c's read transaction, if one is open.
func (c *rangeConn) end() {
	if c.since.IsZero() {
		return
	}
	C.sqlite3_step(c.commit)
	C.sqlite3_reset(c.commit)
	c.since = time.Time{}
}

func (rr *rangeReader) get() (*rangeConn, error) {
	rr.mu.Lock()
	if rr.done {
		rr.mu.Unlock()
		return nil, fmt.Errorf("range reader closed")
	}
	if n := len(rr.idle); n > 0 {
		c := rr.idle[n-1]
		rr.idle = rr.idle[:n-1]
		rr.mu.Unlock()
		return c, nil
	}
	rr.mu.Unlock()
	return openRangeConn(rr.path)
}

func (rr *rangeReader) put(c *rangeConn) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.done {
		c.close()
		return
	}
	rr.idle = append(rr.idle, c)
}

// close closes the idle connections; those in use close when put back.
func (rr *rangeReader) close() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if !rr.done {
		close(rr.stop)
	}
	rr.done = true
	for _, c := range rr.idle {
		c.close()
	}
	rr.idle = nil
}

func openRangeConn(path string) (_ *rangeConn, err error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	c := &rangeConn{}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if rc := C.sqlite3_open_v2(cpath, &c.db, C.pcmt_open_readonly|C.pcmt_open_nomutex, nil); rc != 0 {
		return nil, c.err("open", rc)
	}
	C.sqlite3_busy_timeout(c.db, busyTimeoutMS)
	for _, q := range []string{readerMmapPragma, "PRAGMA query_only = true"} {
		cq := C.CString(q)
		rc := C.sqlite3_exec(c.db, cq, nil, nil, nil)
		C.free(unsafe.Pointer(cq))
		if rc != 0 {
			return nil, c.err(q, rc)
		}
	}
	for _, p := range []struct {
		stmt  **C.sqlite3_stmt
		query string
	}{{&c.stmt, pwnedRangeQuery}, {&c.begin, "BEGIN"}, {&c.commit, "COMMIT"}} {
		cq := C.CString(p.query)
		rc := C.sqlite3_prepare_v3(c.db, cq, -1, C.pcmt_prepare_persistent, p.stmt, nil)
		C.free(unsafe.Pointer(cq))
		if rc != 0 {
			return nil, c.err("prepare", rc)
		}
	}
	return c, nil
}

func (c *rangeConn) err(op string, rc C.int) error {
	msg := "out of memory"
	if c.db != nil {
		msg = C.GoString(C.sqlite3_errmsg(c.db))
	}
	return fmt.Errorf("%s: %s (%d)", op, msg, int(rc))
}

func (c *rangeConn) close() {
	for _, stmt := range []*C.sqlite3_stmt{c.stmt, c.begin, c.commit} {
		if stmt != nil {
			C.sqlite3_finalize(stmt)
		}
	}
	if c.db != nil {
		C.sqlite3_close_v2(c.db)
	}
}
