package cli

import (
	"context"
	"log/slog"

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
