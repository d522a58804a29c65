package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pcmt/routes"
	"pcmt/server"
	"pcmt/static"
	"pcmt/store"
)

func runServe(ctx context.Context, args []string, io IO) error {
	fs := newFlags("serve")
	var cf configFlags
	cf.register(fs)
	if err := parseFlags(fs, args, io.Stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("pcmt serve: unexpected argument %q (see pcmt serve -h)", fs.Arg(0))
	}
	cfg, src, err := cf.load(io)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Logger, io.Stderr)
	log.Info("configuration loaded", "from", describeSource(src), "database", cfg.Database.Path)

	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n)
	}

	assets, err := static.New(static.Embedded, "public", false)
	if cfg.LiveMode {
		dir := filepath.Join(cfg.AppPath, "static", "public")
		log.Info("live mode: serving static files from disk", "dir", dir)
		assets, err = static.New(os.DirFS(dir), ".", true)
	}
	if err != nil {
		return err
	}
	app, err := routes.New(routes.Deps{Config: &cfg, Keys: keys, Store: st, Log: log, Assets: assets})
	if err != nil {
		return err
	}
	srv, err := server.New(&cfg, app, log)
	if err != nil {
		return err
	}
	if err := srv.Run(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
