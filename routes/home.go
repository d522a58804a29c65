package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// showHome renders the landing page.
func (h *Handler) showHome(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.Home(h.page(c, "Breach monitoring you host yourself")))
}
