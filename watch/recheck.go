package watch

import (
	"context"
	"time"

	"pcmt/monitor"
)

// recheckTimeout bounds a recheck: HIBP's rate for a key is as low as ten
// requests a minute, and a watchlist holds up to fifty values.
const recheckTimeout = 15 * time.Minute

// StartRecheck runs the user's queued HIBP recheck (see monitor.HIBPWatch)
// now that the session with idHash can decrypt their values: they are
// decrypted here and asked about in the background, and the alerts show on
// a later visit and come by mail. A recheck that fails is queued again on
// the Service's clock. Without HIBP, an API key or a queued recheck it
// does nothing; err is a recheck claimed whose values could not be read.
func (s *Service) StartRecheck(ctx context.Context, userID int64, idHash []byte) error {
	if s.hibpWatch == nil || s.hibp == nil || !s.hibp.HasKey() {
		return nil
	}
	if pending, err := s.store.HIBPRecheckPending(ctx, userID); err != nil || !pending {
		return nil
	}
	if ok, err := s.store.ClaimHIBPRecheck(ctx, userID); err != nil || !ok {
		return nil
	}
	items, err := s.store.WatchItems(ctx, userID)
	if err != nil {
		return err
	}
	values := make([]monitor.Watched, 0, len(items))
	for _, it := range items {
		if plain, err := s.vault.Decrypt(idHash, it.Ciphertext); err == nil {
			values = append(values, monitor.Watched{ItemID: it.ID, Value: string(plain)})
		}
	}
	go s.recheck(userID, values)
	return nil
}

// recheck asks HIBP about values, outliving the request that started it.
func (s *Service) recheck(userID int64, values []monitor.Watched) {
	ctx, cancel := context.WithTimeout(context.Background(), recheckTimeout)
	defer cancel()
	n, err := s.hibpWatch.Recheck(ctx, userID, values)
	if err != nil {
		s.log.Warn("hibp recheck failed; queued again", "user", userID, "err", err)
		if err := s.store.RequeueHIBPRecheck(context.Background(), userID, s.now()); err != nil {
			s.log.Error("requeue hibp recheck", "user", userID, "err", err)
		}
		return
	}
	s.log.Info("hibp recheck", "user", userID, "new_alerts", n)
}
