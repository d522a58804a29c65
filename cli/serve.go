package cli

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	stdio "io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/breach"
	"pcmt/config"
	"pcmt/hibp"
	"pcmt/monitor"
	"pcmt/replica"
	"pcmt/routes"
	"pcmt/server"
	"pcmt/static"
	"pcmt/store"
)

func runServe(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	rest, err := parseCommand("serve", args, io, &cf, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("pcmt serve: unexpected argument %q (see pcmt serve -h)", rest[0])
	}
	cfg, src, err := cf.load(io)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Logger, io.Stderr)
	log.Info("configuration loaded", "from", describeSource(src), "database", cfg.Database.Path)
	return ServeWith(ctx, cfg, log, io.Stdout, nil)
}

// Serve is ServeWith without a console: a generated first admin password is
// not shown.
func Serve(ctx context.Context, cfg config.Config, log *slog.Logger, started func(url string)) error {
	return ServeWith(ctx, cfg, log, stdio.Discard, started)
}

// ServeWith runs the app with a validated configuration until ctx ends: keys,
// database, migrations, the first admin, routes, listeners. console receives
// what the operator must see once and the log must never hold (a generated
// admin password). started, when not nil, is called with the URL once the
// listeners are bound.
func ServeWith(ctx context.Context, cfg config.Config, log *slog.Logger, console stdio.Writer, started func(url string)) error {
	return ServeWithOptions(ctx, cfg, log, ServeOptions{Console: console, Started: started})
}

// ServeOptions are what a program running the app in-process may set
// beyond the configuration file.
type ServeOptions struct {
	// Console receives what the operator must see once; nil discards it.
	Console stdio.Writer
	// Started, when not nil, is called with the URL once the listeners are
	// bound.
	Started func(url string)
	// MailTLS, when not nil, is the TLS configuration of the connection to
	// the SMTP server, in place of the system's roots: for a server whose
	// certificate the program trusts by itself, like the browser tests'.
	MailTLS *tls.Config
	// Replicator, when not nil, makes the command of the replicating
	// process ([Replica] Enabled); nil starts this executable again with
	// the replicate command.
	Replicator func() *exec.Cmd
	// Replicating, when not nil, is called with the replication once it
	// runs.
	Replicating func(*replica.Replicator)
}

// ServeWithOptions is ServeWith with every option.
func ServeWithOptions(ctx context.Context, cfg config.Config, log *slog.Logger, opts ServeOptions) (err error) {
	console := opts.Console
	if console == nil {
		console = stdio.Discard
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	// Replication stops last, once the store is closed, so that the
	// replica gets the last writes too.
	var repl *replica.Replicator
	defer func() {
		if repl != nil {
			err = errors.Join(err, repl.Stop())
		}
	}()
	st, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Replica.Enabled {
		if repl, err = startReplication(ctx, cfg, opts.Replicator, log); err != nil {
			return err
		}
		if opts.Replicating != nil {
			opts.Replicating(repl)
		}
	}
	users := accounts.New(accounts.Deps{Store: st, AuditKey: keys.Audit, Log: log})
	if err := createFirstAdmin(ctx, cfg.Init, users, console, log); err != nil {
		return err
	}

	assets, err := openAssets(cfg, log)
	if err != nil {
		return err
	}
	vault := account.NewVault(account.MinVaultWorkFactor)
	matcher, err := monitor.New(st, keys.Monitor, log)
	if err != nil {
		return err
	}
	outbox, err := newOutbox(cfg.Mailer, opts.MailTLS, st, log)
	if err != nil {
		return err
	}
	imports, err := startImports(ctx, cfg, st, func(ctx context.Context, ids []int64) {
		matcher.AfterImport(ctx, ids)
		outbox.Kick() // the alert mails just queued go now, not at the next tick
	}, log)
	if err != nil {
		return err
	}
	defer imports.Close()
	syncs, err := startSyncs(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	defer syncs.Close()
	hibpClient, err := newHIBPClient(cfg.HIBP, keys, st)
	if err != nil {
		return err
	}
	var hibpWatch *monitor.HIBPWatch
	var mirror *breach.Mirror
	if hibpClient != nil {
		hibpWatch = monitor.NewHIBPWatch(st, hibpClient, matcher, log)
		if mirror, err = breach.NewMirror(st, cfg.HIBP.PasswordsURL, "pcmt"); err != nil {
			return err
		}
	}
	app, err := routes.New(routes.Deps{Config: &cfg, Keys: keys, Store: st, Log: log, Assets: assets, Vault: vault,
		Matcher: matcher, Imports: imports, Syncs: syncs, HIBP: hibpClient, HIBPWatch: hibpWatch, Outbox: outbox, Mirror: mirror})
	if err != nil {
		return err
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go sweepSessions(sweepCtx, st, vault, cfg.Session.IdleTimeout.Std(), sweepEvery, log)
	if hibpClient != nil {
		go pruneHIBPCache(sweepCtx, hibpClient, log)
		go hibpWatch.Run(sweepCtx, hibpWatchEvery)
	}
	go outbox.Run(sweepCtx)
	srv, err := server.New(&cfg, app, log)
	if err != nil {
		return err
	}
	if opts.Started != nil {
		opts.Started(srv.URL())
	}
	if err := srv.Run(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startReplication starts streaming the database to [Replica] in a process
// of its own (package replica says why).
func startReplication(ctx context.Context, cfg config.Config, command func() *exec.Cmd, log *slog.Logger) (*replica.Replicator, error) {
	if command == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("replica: %w", err)
		}
		command = func() *exec.Cmd { return exec.Command(exe, "replicate") }
	}
	return replica.Start(ctx, command, replica.Settings{
		Database: cfg.Database.Path,
		Replica:  cfg.Replica,
		LogLevel: cfg.Logger.Level,
	}, log)
}

// hibpWatchEvery is how often HIBP's breach list is read for new breaches
// (the client's cache may serve it for up to CacheTTL).
const hibpWatchEvery = 6 * time.Hour

// newHIBPClient is the Have I Been Pwned client, or nil when HIBP.Enabled
// is off: then the instance never contacts the internet. Its cache in the
// database is keyed with a key derived from the audit secret, so the cache
// table does not show which accounts were searched.
func newHIBPClient(cfg config.HIBP, keys config.Keys, st *store.Store) (*hibp.Client, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	mac := hmac.New(sha256.New, keys.Audit)
	mac.Write([]byte("pcmt hibp cache key"))
	return hibp.New(hibp.Options{
		APIKey:        cfg.APIKey,
		BaseURL:       cfg.BaseURL,
		PasswordsURL:  cfg.PasswordsURL,
		UserAgent:     "pcmt/" + version(),
		Store:         st,
		CacheTTL:      cfg.CacheTTL.Std(),
		CacheKey:      mac.Sum(nil),
		RatePerMinute: cfg.RatePerMinute,
	})
}

// startImports runs the admins' uploads in the background, resuming those a
// restart interrupted, and matches what they store against the watchlists. Uploads and sort files live beside the database,
// where there is room for the data they become.
func startImports(ctx context.Context, cfg config.Config, st *store.Store, afterBreaches func(context.Context, []int64), log *slog.Logger) (*breach.Jobs, error) {
	dir := cfg.Database.Path + ".uploads"
	im := &breach.Importer{Store: st, TempDir: dir, MaxSize: int64(cfg.Import.MaxSize), Log: log,
		AfterBreaches: afterBreaches}
	jobs, err := breach.NewJobs(im, dir, log)
	if err != nil {
		return nil, err
	}
	if err := jobs.Resume(ctx); err != nil {
		jobs.Close()
		return nil, err
	}
	return jobs, nil
}

// startSyncs runs the corpus syncs admins start, from [HIBP]
// PasswordsURL, and takes up those a restart interrupted. It works without
// HIBP.Enabled: a sync is an admin's explicit request to go and fetch the
// corpus, never something the server does on its own.
func startSyncs(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*breach.SyncJobs, error) {
	fetcher, err := syncFetcher(cfg, breach.DefaultSyncWorkers)
	if err != nil {
		return nil, err
	}
	syncs := breach.NewSyncJobs(&breach.Syncer{Store: st, Fetcher: fetcher, Log: log}, log)
	if err := syncs.Resume(ctx); err != nil {
		syncs.Close()
		return nil, err
	}
	return syncs, nil
}

// openAssets serves the embedded static files, or in live mode the ones on
// disk under AppPath.
func openAssets(cfg config.Config, log *slog.Logger) (*static.Assets, error) {
	if !cfg.LiveMode {
		return static.New(static.Embedded, "public", false)
	}
	dir := filepath.Join(cfg.AppPath, "static", "public")
	log.Info("live mode: serving static files from disk", "dir", dir)
	return static.New(os.DirFS(dir), ".", true)
}

// newOutbox sends the queued mail (alerts) through the [Mailer] server,
// retrying until it is accepted; with the mailer off, mail waits queued.
// tlsCfg, when not nil, replaces the default TLS configuration towards the
// server.
func newOutbox(cfg config.Mailer, tlsCfg *tls.Config, st *store.Store, log *slog.Logger) (*monitor.Outbox, error) {
	var opts []monitor.MailerOption
	if tlsCfg != nil {
		opts = append(opts, monitor.WithTLSConfig(tlsCfg))
	}
	m, err := monitor.NewMailer(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return monitor.NewOutbox(st, m, log, monitor.OutboxOptions{}), nil
}
