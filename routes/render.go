package routes

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// render writes a templ component as the HTML response.
func render(c *fiber.Ctx, status int, component templ.Component) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return component.Render(c.UserContext(), c.Response().BodyWriter())
}

// isHTMX reports whether htmx sent the request, so a fragment is enough.
func isHTMX(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true"
}

// page is what the layout needs for this request.
func (h *Handler) page(c *fiber.Ctx, title string) views.Page {
	p := views.Page{
		Title:   title,
		Path:    c.Path(),
		CSRF:    h.csrf.token(c),
		Asset:   h.assets.Current().URL,
		Flashes: h.takeFlashes(c),
	}
	if u := currentUser(c); u != nil {
		p.User = &views.Viewer{Username: u.Username, Admin: u.IsAdmin(), Pending: u.MustChangePassword}
	}
	return p
}

// wantsPanel reports whether htmx asked for a part of the page. A history
// restore asks for the whole page (HX-Request-Type: full).
func wantsPanel(c *fiber.Ctx) bool {
	return isHTMX(c) && c.Get("HX-Request-Type") != "full" && c.Get("HX-History-Restore-Request") != "true"
}
