package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
)

// guard enforces a route's access before its handler runs. API routes
// answer to a token, not a session: their guard is the token check.
func (h *Handler) guard(a access) fiber.Handler {
	if g := h.tokenAccess(a); g != nil {
		return g
	}
	if a == metricsScrape {
		return h.metricsGuard
	}
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		switch {
		case a == public:
			return c.Next()
		case a == guest:
			if u != nil {
				return redirect(c, homeOf(u))
			}
			return c.Next()
		case u == nil:
			return redirect(c, "/signin")
		case u.MustChangePassword && a != pending:
			return redirect(c, "/settings/password")
		case a == userRole && u.IsAdmin():
			return apperr.New(apperr.Forbidden, "Admins cannot see what users track: that stays private to each user.")
		case a == adminRole && !u.IsAdmin():
			return apperr.ErrForbidden
		}
		return c.Next()
	}
}

// homeOf is where a signed-in user starts.
func homeOf(u *store.User) string {
	switch {
	case u.MustChangePassword:
		return "/settings/password"
	case u.IsAdmin():
		return "/admin/users"
	}
	return "/dashboard"
}

// redirect sends the browser to path after a form or a guarded page: 303 so
// that a POST becomes a GET, or HX-Redirect under htmx so that the whole page
// changes rather than a fragment.
func redirect(c *fiber.Ctx, path string) error {
	if isHTMX(c) {
		c.Set("HX-Redirect", path)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(path, fiber.StatusSeeOther)
}
