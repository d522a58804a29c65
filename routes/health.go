package routes

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers as long as the process serves requests.
func (h *Handler) healthz(c *fiber.Ctx) error {
	return c.SendString("ok\n")
}

// readyz answers 200 when the database answers and its schema is current.
func (h *Handler) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("not ready: the database does not answer\n")
	}
	if pending, err := h.store.Pending(ctx); err != nil || pending {
		h.log.Warn("not ready", "pending_migrations", pending, "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("not ready: migrations are pending\n")
	}
	return c.SendString("ready\n")
}
