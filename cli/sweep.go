package cli

import (
	"context"
	"log/slog"
	"time"

	"pcmt/account"
	"pcmt/hibp"
	"pcmt/store"
)

// sweepEvery is how often ended sessions are removed, and the keys of
// sessions that are gone forgotten.
const sweepEvery = time.Minute

// sweepSessions removes expired and idle sessions, and forgets their keys,
// every interval until ctx ends. It also forgets the keys of sessions whose
// rows another process removed (pcmt user passwd revokes sessions from the
// command line): an unlocked key never outlives its session by more than
// an interval, whether or not its browser comes back. Requests check
// expiry themselves; this keeps the table and the memory from growing with
// sessions nobody ends.
func sweepSessions(ctx context.Context, st *store.Store, vault *account.Vault, idle, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if n, err := sweepOnce(ctx, st, vault, idle, time.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("sweep sessions", "err", err)
		} else if n > 0 {
			log.Info("swept ended sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func sweepOnce(ctx context.Context, st *store.Store, vault *account.Vault, idle time.Duration, now time.Time) (int, error) {
	gone, err := st.DeleteExpiredSessions(ctx, now, idle)
	for _, h := range gone {
		vault.Drop(h)
	}
	if err != nil {
		return len(gone), err
	}
	orphans, err := dropOrphanKeys(ctx, st, vault)
	return len(gone) + orphans, err
}

// dropOrphanKeys forgets the keys held for sessions that no longer exist.
// A key is bound only after its session's row is written, so a key whose
// row is missing belongs to a session that ended.
func dropOrphanKeys(ctx context.Context, st *store.Store, vault *account.Vault) (int, error) {
	bound := vault.Bound()
	live, err := st.ExistingSessions(ctx, bound)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range bound {
		if !live[string(h)] {
			vault.Drop(h)
			n++
		}
	}
	return n, nil
}

// pruneHIBPCache drops stale Have I Been Pwned answers every hour.
func pruneHIBPCache(ctx context.Context, c *hibp.Client, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := c.PruneCache(ctx); err != nil && ctx.Err() == nil {
				log.Warn("pruning the HIBP cache", "err", err)
			}
		}
	}
}
