// Package store keeps everything pcmt persists in one SQLite file: one writer
// connection for changes and a pool of read-only connections for reads.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// Store is the SQLite database.
type Store struct {
	path string
	w    *sql.DB // one connection: SQLite has one writer at a time
	r    *sql.DB // read-only pool

	mu              sync.Mutex // guards the prepared statements
	sessionUserStmt *sql.Stmt
	holdingStmt     *sql.Stmt // BreachesHolding: every search
	breachCountStmt *sql.Stmt
	alertsStmt      *sql.Stmt // AlertsFor: every dashboard
	sessions        *sessionCache
	ranges          *rangeReader
	pwnedGen        atomic.Uint64 // bumped by every corpus write
}

// Options change how a database is opened.
type Options struct {
	// Replicated says that Litestream streams the database to a replica
	// (the [Replica] section). The writer then keeps the WAL file when it
	// closes, as Litestream's own connection does: the last connection to
	// close checkpoints the WAL and, without that, deletes it, and
	// Litestream, finding the WAL gone at its next start, sends a full
	// snapshot of the database instead of going on from where it was.
	// That happens whenever a command writes while serve is stopped. It
	// also leaves the checkpoints to Litestream: see
	// replicatedAutoCheckpoint.
	Replicated bool
}

// Open opens (creating when missing) the database at path. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	// SQLite creates the file with the umask's mode; the database holds
	// private data, so create it private first (the -wal and -shm files
	// inherit its mode).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store: create %s: %w", path, err)
	}
	autoCheckpoint := defaultAutoCheckpoint
	if opts.Replicated {
		autoCheckpoint = replicatedAutoCheckpoint
	}
	w := sql.OpenDB(&connector{dsn: dsn(path, url.Values{
		"_journal_mode": {"WAL"},
		"_txlock":       {"immediate"},
		"_busy_timeout": {strconv.Itoa(busyTimeoutMS)},
		"_foreign_keys": {"on"},
		"_synchronous":  {"FULL"},
	}), driver: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if opts.Replicated {
			if err := c.SetFileControlInt("main", sqlite3.SQLITE_FCNTL_PERSIST_WAL, 1); err != nil {
				return err
			}
		}
		_, err := c.Exec("PRAGMA wal_autocheckpoint = "+strconv.Itoa(autoCheckpoint), nil)
		return err
	}}})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// The first connection creates the file and switches it to WAL, which the
	// read-only pool needs before it can open it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	// Readers map the file (mmap_size): a /range answer reads a ~20 KB row
	// of overflow pages, which costs a system call a page without it.
	r := sql.OpenDB(&connector{dsn: dsn(path, url.Values{
		"mode":          {"ro"},
		"_busy_timeout": {strconv.Itoa(busyTimeoutMS)},
		"_foreign_keys": {"on"},
		"_query_only":   {"true"},
	}), driver: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(readerMmapPragma, nil)
		return err
	}}})
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open %s read-only: %w", path, err)
	}
	s := &Store{path: path, w: w, r: r, sessions: newSessionCache()}
	s.ranges = newRangeReader(path, &s.pwnedGen, n)
	return s, nil
}

// defaultAutoCheckpoint is SQLite's own threshold: the writer copies the
// WAL back into the database once it holds this many pages.
const defaultAutoCheckpoint = 1000

// replicatedAutoCheckpoint is the writer's threshold while Litestream
// replicates the database. Litestream copies the WAL, then checkpoints it
// itself (at 1,000 pages, and every minute); the rest of the time it keeps
// a read transaction open so that nobody resets the WAL before it has
// copied it. Its documentation advises leaving checkpoints to it on busy
// servers: a checkpoint of ours that runs while it has let go of its read
// transaction lets the next write reset the WAL under it, and it then
// sends a full snapshot of the database. Ten times its threshold keeps its
// checkpoints first; ours remains a backstop that bounds the WAL when no
// replicator runs (a command while serve is stopped, or the replicator
// restarting).
const replicatedAutoCheckpoint = 10 * defaultAutoCheckpoint

// busyTimeoutMS is how long a connection waits for a lock, in milliseconds.
const busyTimeoutMS = 5000

// readerMmapPragma makes a reader map up to 2 GiB of the file, SQLite's
// limit.
const readerMmapPragma = "PRAGMA mmap_size = 2147483648"

// connector opens connections of one DSN with a driver of its own, so that
// a connect hook needs no global driver registration.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c *connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c *connector) Driver() driver.Driver                        { return c.driver }

func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: q.Encode()}
	return u.String()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes both pools.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	s.ranges.close()
	for _, stmt := range []*sql.Stmt{s.sessionUserStmt, s.holdingStmt, s.breachCountStmt, s.alertsStmt} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(append(errs, s.r.Close(), s.w.Close())...)
}

// prepared returns the read statement kept in *slot, preparing it on first
// use (not at Open: the tables it reads may not be migrated yet).
func (s *Store) prepared(ctx context.Context, slot **sql.Stmt, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *slot == nil {
		stmt, err := s.r.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*slot = stmt
	}
	return *slot, nil
}

// Ping checks that the database answers a query on both pools.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping reader: %w", err)
	}
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	return nil
}

// tx runs fn in one write transaction: committed when fn returns nil, rolled
// back otherwise.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Whatever the outcome, answers cached before this write are stale.
	defer s.sessions.changed()
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// wrap turns driver errors into the store's typed errors.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, ErrNotFound)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
		return fmt.Errorf("store: %s: %w", op, ErrConflict)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
