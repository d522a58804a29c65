package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"pcmt/config"
	"pcmt/replica"
)

// runRestore brings the newest state of the replica back into a new file:
// the database of a new machine, or a copy to look into.
func runRestore(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	var target string
	rest, err := parseCommand("restore", args, io, &cf, func(fs *flag.FlagSet) {
		fs.StringVar(&target, "replica", "", "the replica: s3://bucket/path, file:///directory or a directory (default: Replica.URL or Replica.Path)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] == "" {
		return usagef("usage: pcmt restore [--config FILE] [--replica URL] FILE")
	}
	file := rest[0]
	if strings.Contains(target, "://") {
		if _, err := config.CheckReplicaURL(target); err != nil {
			return usagef("pcmt restore: --replica %s: %v", config.DescribeReplica(target), err)
		}
	}
	cfg, _, err := cf.load(io)
	if err != nil {
		return err
	}
	if target == "" && cfg.Replica.Target() == "" {
		return usagef("pcmt restore: no replica: pass --replica URL, or set Replica.URL or Replica.Path")
	}
	if target == "" {
		target = cfg.Replica.Target()
	}
	log := newLogger(cfg.Logger, io.Stderr)
	if err := replica.Restore(ctx, target, cfg.Replica, file, log); err != nil {
		if errors.Is(err, replica.ErrExists) {
			return fmt.Errorf("restore: %s already exists: restore into a new file", existing(file))
		}
		return err
	}
	where, size := writtenFile(file)
	fmt.Fprintf(io.Stdout, "restored %s into %s%s\n", config.DescribeReplica(target), where, size)
	fmt.Fprintf(io.Stdout, "To serve it, put the instance's secrets file at %s.secrets (mode 0600) and set Database.Path to %s.\n", where, where)
	return nil
}

// existing names the one of file, file-wal and file-shm that is there.
func existing(file string) string {
	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return file
}

// writtenFile is the absolute name of a file a command wrote, and its
// size as " (12.3 MiB)", or "" when it cannot be read.
func writtenFile(file string) (where, size string) {
	where, err := filepath.Abs(file)
	if err != nil {
		where = file
	}
	if info, err := os.Stat(where); err == nil {
		size = fmt.Sprintf(" (%s)", config.ByteSize(info.Size()).Human())
	}
	return where, size
}
