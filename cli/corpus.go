package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"pcmt/breach"
	"pcmt/breaches"
	"pcmt/config"
	"pcmt/hibp"
	"pcmt/store"
)

const corpusUsage = `usage: pcmt corpus sync [--mode sha1|ntlm] [--workers N]`

// maxSyncWorkers bounds --workers: more connections would not be polite.
const maxSyncWorkers = 64

func runCorpus(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	var mode string
	var workers int
	rest, err := parseCommand("corpus", args, io, &cf, func(fs *flag.FlagSet) {
		fs.StringVar(&mode, "mode", "sha1", "sync: the corpus to fetch, sha1 or ntlm")
		fs.IntVar(&workers, "workers", breach.DefaultSyncWorkers, fmt.Sprintf("sync: ranges fetched at once, each on its own connection (1 to %d)", maxSyncWorkers))
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "sync" {
		return usagef("%s", corpusUsage)
	}
	m, err := breach.ParseSyncMode(mode)
	if err != nil {
		return usagef("pcmt corpus sync: --mode: %v", err)
	}
	if workers < 1 || workers > maxSyncWorkers {
		return usagef("pcmt corpus sync: --workers: %d is not between 1 and %d", workers, maxSyncWorkers)
	}
	cfg, _, err := cf.load(io)
	if err != nil {
		return err
	}
	// The audit key chains the sync's log entry, as the button's.
	keys, log, st, err := openWriting(ctx, cfg, io)
	if err != nil {
		return err
	}
	defer st.Close()
	fetcher, err := syncFetcher(cfg, workers)
	if err != nil {
		return err
	}
	s := &breach.Syncer{Store: st, Fetcher: fetcher, Log: log, Workers: workers, Space: io.syncSpace}
	return corpusSync(ctx, s, breaches.New(breaches.Deps{Store: st, Keys: keys, Syncer: s}), m, io)
}

func corpusSync(ctx context.Context, s *breach.Syncer, syncs *breaches.Service, mode store.PwnedMode, io IO) error {
	job, resumed, err := syncs.BeginSync(ctx, mode)
	if err != nil {
		return fmt.Errorf("corpus sync: %w", err)
	}
	if resumed {
		fmt.Fprintf(io.Stderr, "resuming the interrupted sync (job %d): %d of %d ranges done\n", job.ID, job.BytesDone, job.FileSize)
	}
	fmt.Fprintf(io.Stderr, "syncing the %s corpus from %s, %d ranges (job %d)\n", mode, s.Fetcher.URL(), job.FileSize, job.ID)
	bar := newProgressBar(io.Stderr, "sync", isTerminal(io.Stderr))
	sum, err := s.Run(ctx, job, bar.updateSync)
	bar.done()
	var failed *breach.SyncFailedError
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("corpus sync: interrupted; what was fetched is stored: run the same command again to resume")
	case errors.As(err, &failed):
		fmt.Fprintln(io.Stdout, sum)
		return fmt.Errorf("corpus sync: %w", err)
	case err != nil:
		return fmt.Errorf("corpus sync: %w", err)
	}
	fmt.Fprintln(io.Stdout, sum)
	return nil
}

// syncFetcher is the range fetcher of a corpus sync, from the command line
// or the admins' button: workers connections to the Pwned Passwords API.
func syncFetcher(cfg config.Config, workers int) (*hibp.RangeFetcher, error) {
	return hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: cfg.HIBP.PasswordsURL,
		UserAgent: "pcmt/" + version() + " (corpus sync)", Connections: workers})
}
