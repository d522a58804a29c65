// Package replica streams the database to a replica with Litestream, built
// in, and restores it from one.
//
// Litestream opens the database through its own SQLite, the pure-Go
// modernc.org/sqlite, while the store uses the C SQLite of mattn/go-sqlite3.
// Two SQLite libraries must not open one file in one process: SQLite's
// locks are POSIX advisory locks, which belong to the process, so neither
// library's locks keep out the other's connections (Litestream's read
// transaction would no longer stop a checkpoint of the store from resetting
// the WAL, nor its write lock a second writer), and a file closed by either
// drops the locks of both. Litestream's documentation for library use says
// as much. So serve runs the replication in a process of its own, the same
// binary started with the replicate command (Run), and talks to it through
// its stdin and stdout (Replicator). Between processes SQLite's locks work
// as designed, as with the litestream command beside any application.
package replica

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"

	"pcmt/config"
)

// NewClient returns the Litestream client of the replica at target (an
// s3:// or file:// URL, or a directory) with the S3 settings of cfg.
// An empty target means cfg's own.
func NewClient(target string, cfg config.Replica, log *slog.Logger) (litestream.ReplicaClient, error) {
	if target == "" {
		target = cfg.Target()
	}
	if target == "" {
		return nil, errors.New("replica: no replica configured: set Replica.Path or Replica.URL")
	}
	if !strings.Contains(target, "://") {
		dir, err := filepath.Abs(target)
		if err != nil {
			return nil, fmt.Errorf("replica: %w", err)
		}
		c := file.NewReplicaClient(dir)
		c.SetLogger(log)
		return c, nil
	}
	scheme, err := config.CheckReplicaURL(target)
	if err != nil {
		return nil, fmt.Errorf("replica: %s %w", config.DescribeReplica(target), err)
	}
	u, _ := url.Parse(target) // checked just above
	if scheme == "file" {
		c := file.NewReplicaClient(filepath.Clean(u.Path))
		c.SetLogger(log)
		return c, nil
	}
	q := u.Query()
	if cfg.Endpoint != "" && q.Get("endpoint") == "" {
		q.Set("endpoint", cfg.Endpoint)
	}
	if cfg.Region != "" && q.Get("region") == "" {
		q.Set("region", cfg.Region)
	}
	u.RawQuery = q.Encode()
	c, err := litestream.NewReplicaClientFromURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("replica: %s: %w", config.DescribeReplica(target), err)
	}
	sc, ok := c.(*s3.ReplicaClient)
	if !ok {
		return nil, fmt.Errorf("replica: %s is not an S3 replica", config.DescribeReplica(target))
	}
	// Keys from the configuration win over the AWS_* variables the
	// client read; neither set, the SDK asks the machine's role.
	if cfg.AccessKeyID != "" {
		sc.AccessKeyID, sc.SecretAccessKey = cfg.AccessKeyID, cfg.SecretAccessKey
	}
	sc.SetLogger(log)
	return sc, nil
}
