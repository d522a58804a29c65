package routes

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// Flash messages travel to the next page in a short-lived cookie,
// authenticated and encrypted like the session cookie, so that
// post/redirect/get can say what happened.
const flashCookie = "pcmt_flash"

// flashTTL is how long a flash waits for the next page.
const flashTTL = 5 * time.Minute

func (h *Handler) flash(c *fiber.Ctx, kind views.FlashKind, message string) {
	list := append(h.pendingFlashes(c), views.Flash{Kind: kind, Message: message})
	c.Locals(flashCookie, list)
	b, _ := json.Marshal(list) // a slice of plain structs always marshals
	if err := h.cookies.flash.set(c, b, h.now()); err != nil {
		h.log.Error("flash", "err", err)
	}
}

// pendingFlashes are the flashes set during this request.
func (h *Handler) pendingFlashes(c *fiber.Ctx) []views.Flash {
	list, _ := c.Locals(flashCookie).([]views.Flash)
	return list
}

// takeFlashes returns the flashes the previous response left, and clears
// the cookie.
func (h *Handler) takeFlashes(c *fiber.Ctx) []views.Flash {
	if pending := h.pendingFlashes(c); len(pending) > 0 {
		c.ClearCookie(flashCookie)
		c.Locals(flashCookie, nil)
		return pending
	}
	if c.Cookies(flashCookie) == "" {
		return nil
	}
	h.cookies.flash.clear(c)
	b, ok := h.cookies.flash.get(c)
	if !ok {
		return nil
	}
	var list []views.Flash
	if json.Unmarshal(b, &list) != nil {
		return nil
	}
	return list
}
