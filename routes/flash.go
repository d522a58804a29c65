package routes

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"

	"pcmt/views"
)

// Flash messages travel to the next page in a short-lived cookie,
// authenticated and encrypted like the session cookie, so that
// post/redirect/get can say what happened.
const flashCookie = "pcmt_flash"

func (h *Handler) flash(c *fiber.Ctx, kind views.FlashKind, message string) {
	list := append(h.pendingFlashes(c), views.Flash{Kind: kind, Message: message})
	c.Locals(flashCookie, list)
	b, _ := json.Marshal(list) // a slice of plain structs always marshals
	v, err := securecookie.EncodeMulti(flashCookie, b, h.cookies.codecs...)
	if err != nil {
		h.log.Error("flash", "err", err)
		return
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: v, Path: "/", HTTPOnly: true, Secure: h.cookies.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: h.now().Add(5 * time.Minute)})
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
	raw := c.Cookies(flashCookie)
	if raw == "" {
		return nil
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", HTTPOnly: true, Secure: h.cookies.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
	var b []byte
	if err := securecookie.DecodeMulti(flashCookie, raw, &b, h.cookies.codecs...); err != nil {
		return nil
	}
	var list []views.Flash
	if json.Unmarshal(b, &list) != nil {
		return nil
	}
	return list
}
