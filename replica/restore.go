package replica

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/benbjohnson/litestream"

	"pcmt/config"
)

// ErrExists refuses a restore over a file that is there already.
var ErrExists = errors.New("already exists")

// ErrEmpty is a replica that holds no backup yet.
var ErrEmpty = errors.New("holds no backup")

// Restore writes the newest state the replica at target holds (cfg's own
// when target is empty) into the new file path, private (0600) and checked
// with PRAGMA integrity_check. It refuses a path that exists, and one
// whose -wal or -shm file is left over: SQLite would apply it to the
// restored database.
func Restore(ctx context.Context, target string, cfg config.Replica, path string, log *slog.Logger) error {
	// Resolved here, not only by NewClient, so that this function's errors
	// name the replica they concern.
	target = cmp.Or(target, cfg.Target())
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("replica: restore: %s %w", p, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replica: restore: %w", err)
		}
	}
	client, err := NewClient(target, cfg, log)
	if err != nil {
		return err
	}
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("replica: %s: %w", config.DescribeReplica(target), err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("replica: restore: %w", err)
	}
	// Restored first into a private directory beside the file, then
	// linked into place: never readable by others, never half written
	// under its name, and an existing file is never replaced.
	tmp, err := os.MkdirTemp(filepath.Dir(abs), ".pcmt-restore-")
	if err != nil {
		return fmt.Errorf("replica: restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "restored.db")

	// The replica logs through a database value: without one it would use
	// the process's default logger.
	carrier := litestream.NewDB(out)
	carrier.SetLogger(log)
	r := litestream.NewReplicaWithClient(carrier, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = out
	opt.IntegrityCheck = litestream.IntegrityCheckFull
	if err := r.Restore(ctx, opt); err != nil {
		if errors.Is(err, litestream.ErrNoSnapshots) || errors.Is(err, litestream.ErrTxNotAvailable) {
			return fmt.Errorf("replica: %s %w", config.DescribeReplica(target), ErrEmpty)
		}
		return fmt.Errorf("replica: restore from %s: %w", config.DescribeReplica(target), err)
	}
	if err := os.Chmod(out, 0o600); err != nil {
		return fmt.Errorf("replica: restore: %w", err)
	}
	if err := os.Link(out, abs); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("replica: restore: %s %w", path, ErrExists)
		}
		return fmt.Errorf("replica: restore: %w", err)
	}
	d, err := os.Open(filepath.Dir(abs))
	if err != nil {
		return fmt.Errorf("replica: restore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("replica: restore: %w", err)
	}
	return nil
}
