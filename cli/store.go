package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"pcmt/config"
	"pcmt/store"
)

// openMigrated opens (creating when missing) the configuration's database
// and brings its schema up to date.
func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	n, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n)
	}
	return st, nil
}

// openStore opens (creating when missing) the configuration's database,
// telling the store whether Litestream replicates it: every process that
// writes must then leave the checkpoints to Litestream, not only serve.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	return store.OpenWith(ctx, cfg.Database.Path, store.Options{Replicated: cfg.Replica.Enabled})
}

// openExisting opens the database of the configuration, refusing to create
// one: a command that reads accounts has nothing to do on a new file, and a
// mistyped path should not leave an empty database behind.
func openExisting(ctx context.Context, f *configFlags, io IO) (config.Config, *store.Store, error) {
	cfg, _, err := f.load(io)
	if err != nil {
		return cfg, nil, err
	}
	if _, err := os.Stat(cfg.Database.Path); errors.Is(err, os.ErrNotExist) {
		return cfg, nil, fmt.Errorf("database %s does not exist (pcmt serve or pcmt migrate up creates it)", cfg.Database.Path)
	}
	st, err := openStore(ctx, cfg)
	return cfg, st, err
}

// openWriting is what a command that writes breach data needs: the
// secrets file's keys (made as serve would make them, when the command
// comes first), a logger on stderr and the migrated database.
func openWriting(ctx context.Context, cfg config.Config, io IO) (config.Keys, *slog.Logger, *store.Store, error) {
	keys, err := cfg.LoadKeys()
	if err != nil {
		return keys, nil, nil, err
	}
	log := newLogger(cfg.Logger, io.Stderr)
	st, err := openMigrated(ctx, cfg, log)
	return keys, log, st, err
}
