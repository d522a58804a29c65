package replica

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"

	"pcmt/config"
)

// Settings are what the replicating process needs. serve sends them as the
// first line of its stdin, in JSON, so that the S3 secret never shows in a
// process listing or an environment.
type Settings struct {
	Database string
	Replica  config.Replica
	LogLevel string
}

// The lines the replicating process answers on its stdout.
const (
	replyReady    = "ready"
	replyPosition = "position"
	replyError    = "error"
)

// cmdPosition asks for the replication position.
const cmdPosition = "position"

// finalSyncTimeout bounds the last sync after the input ends, which
// Litestream retries until it succeeds.
const finalSyncTimeout = 30 * time.Second

// Run is the replicating process: it reads Settings from in, replicates the
// database until in ends, then sends what is left and returns. It answers
// "position" requests on out, one a line, and logs to logw, one JSON object
// a line.
//
// It stops when its input ends and not with ctx: on SIGTERM or Ctrl-C the
// serve that started it still finishes its requests, and their writes must
// reach the replica too. serve closes the input once its store is closed;
// if serve dies, the input ends all the same.
func Run(ctx context.Context, in io.Reader, out io.Writer, logw io.Writer) error {
	lines := bufio.NewScanner(in)
	if !lines.Scan() {
		return errors.New("replicate: no settings on stdin: pcmt serve runs this command")
	}
	var s Settings
	if err := json.Unmarshal(lines.Bytes(), &s); err != nil {
		return fmt.Errorf("replicate: settings: %w", err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: level}))

	db, err := open(context.WithoutCancel(ctx), s, log)
	if err != nil {
		return err
	}
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalSyncTimeout)
		defer cancel()
		return db.close(ctx)
	}
	if _, err := fmt.Fprintln(out, replyReady); err != nil {
		return errors.Join(err, stop())
	}
	for lines.Scan() {
		reply := db.answer(context.WithoutCancel(ctx), strings.TrimSpace(lines.Text()))
		if _, err := fmt.Fprintln(out, reply); err != nil {
			return errors.Join(err, stop())
		}
	}
	return errors.Join(lines.Err(), stop())
}

// replicated is a database Litestream replicates.
type replicated struct {
	store *litestream.Store
	db    *litestream.DB
	log   *slog.Logger
}

// open starts replicating as s says.
func open(ctx context.Context, s Settings, log *slog.Logger) (*replicated, error) {
	client, err := NewClient("", s.Replica, log)
	if err != nil {
		return nil, err
	}
	db := litestream.NewDB(s.Database)
	r := litestream.NewReplicaWithClient(db, client)
	r.SyncInterval = s.Replica.SyncInterval.Std()
	db.Replica = r
	if fc, ok := client.(*file.ReplicaClient); ok {
		fc.Replica = r // its files take the database's owner and mode
	}
	// Litestream's own defaults, as its command sets them.
	levels := litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	}
	st := litestream.NewStore([]*litestream.DB{db}, levels)
	st.SnapshotInterval = s.Replica.SnapshotInterval.Std()
	st.SnapshotRetention = s.Replica.Retention.Std()
	st.Logger = log
	db.SetLogger(log.With("db", filepath.Base(s.Database)))
	if err := st.Open(ctx); err != nil {
		return nil, fmt.Errorf("replicate: %w", err)
	}
	log.Info("replicating", "database", s.Database, "replica", config.DescribeReplica(s.Replica.Target()))
	return &replicated{store: st, db: db, log: log}, nil
}

// answer runs one request.
func (r *replicated) answer(ctx context.Context, cmd string) string {
	switch cmd {
	case cmdPosition:
		p, err := r.position(ctx)
		if err != nil {
			return replyError + " " + strings.ReplaceAll(err.Error(), "\n", "; ")
		}
		return fmt.Sprintf("%s %d %d", replyPosition, p.Local, p.Replica)
	default:
		return replyError + " unknown request " + fmt.Sprintf("%q", cmd)
	}
}

// position copies what the WAL holds now into Litestream's local files and
// reports how far those and the replica go.
func (r *replicated) position(ctx context.Context) (Position, error) {
	if err := r.db.Sync(ctx); err != nil {
		return Position{}, fmt.Errorf("sync: %w", err)
	}
	local, err := r.db.Pos()
	if err != nil {
		return Position{}, err
	}
	return Position{Local: uint64(local.TXID), Replica: uint64(r.db.Replica.Pos().TXID)}, nil
}

// close sends what is left to the replica and stops.
func (r *replicated) close(ctx context.Context) error {
	if err := r.store.Close(ctx); err != nil {
		return fmt.Errorf("replicate: final sync: %w", err)
	}
	r.log.Info("replication stopped")
	return nil
}

// Position is how far replication has gone, in Litestream transactions:
// Local is the newest the replicating process has read from the WAL,
// Replica the newest the replica holds.
type Position struct {
	Local   uint64
	Replica uint64
}
