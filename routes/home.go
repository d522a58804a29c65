package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

const homeTitle = "Breach monitoring you host yourself"

// showHome renders the landing page: for visitors, from its prerendered
// pieces.
func (h *Handler) showHome(c *fiber.Ctx) error {
	if h.canPrerender(c) {
		return h.home.write(c, h, homeTitle, views.Home)
	}
	return render(c, fiber.StatusOK, views.Home(h.page(c, homeTitle)))
}
