package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// showDashboard renders a user's start page.
func (h *Handler) showDashboard(c *fiber.Ctx) error {
	user := currentUser(c)
	sessions, err := h.store.Sessions(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	previous, err := h.store.PreviousSignIn(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	d := views.DashboardData{Username: user.Username, Sessions: len(sessions), LastSignIn: previous}
	return render(c, fiber.StatusOK, views.Dashboard(h.page(c, "Dashboard"), d))
}
