package routes

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/monitor"
)

// hibpRecheckTimeout bounds a recheck: HIBP's rate for a key is as low as
// ten requests a minute, and a watchlist holds up to fifty values.
const hibpRecheckTimeout = 15 * time.Minute

// startHIBPRecheck runs the user's queued HIBP recheck (see
// monitor.HIBPWatch), now that their session can decrypt the values: they
// are decrypted here and asked about in the background; the alerts show on
// a later visit and come by mail. A recheck that fails is queued again.
func (h *Handler) startHIBPRecheck(c *fiber.Ctx) {
	if h.hibpWatch == nil || h.hibp == nil || !h.hibp.HasKey() {
		return
	}
	ctx := c.UserContext()
	userID, sess := currentUser(c).ID, currentSession(c)
	if pending, err := h.store.HIBPRecheckPending(ctx, userID); err != nil || !pending {
		return
	}
	if ok, err := h.store.ClaimHIBPRecheck(ctx, userID); err != nil || !ok {
		return
	}
	items, err := h.store.WatchItems(ctx, userID)
	if err != nil {
		h.log.Error("hibp recheck", "err", err, "request_id", requestIDOf(c))
		return
	}
	values := make([]monitor.Watched, 0, len(items))
	for _, it := range items {
		if plain, err := h.vault.Decrypt(sess.IDHash, it.Ciphertext); err == nil {
			values = append(values, monitor.Watched{ItemID: it.ID, Value: string(plain)})
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hibpRecheckTimeout)
		defer cancel()
		n, err := h.hibpWatch.Recheck(ctx, userID, values)
		if err != nil {
			h.log.Warn("hibp recheck failed; queued again", "user", userID, "err", err)
			if err := h.store.RequeueHIBPRecheck(context.Background(), userID, h.now()); err != nil {
				h.log.Error("requeue hibp recheck", "user", userID, "err", err)
			}
			return
		}
		h.log.Info("hibp recheck", "user", userID, "new_alerts", n)
	}()
}
