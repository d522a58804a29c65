package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/views"
)

// showBreaches lists the known breaches: metadata and counts, never records.
func (h *Handler) showBreaches(c *fiber.Ctx) error {
	list, err := h.store.Breaches(c.UserContext())
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.Breaches(h.page(c, "Breaches"), breachViews(list)))
}

// showBreach renders one breach's page.
func (h *Handler) showBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	v := breachView(&b)
	return render(c, fiber.StatusOK, views.Breach(h.page(c, v.Heading()), v))
}

// targetBreach is the breach the URL's :id names; a malformed id is not
// found, like an unknown one.
func (h *Handler) targetBreach(c *fiber.Ctx) (store.Breach, error) {
	id, err := pathID(c)
	if err != nil {
		return store.Breach{}, err
	}
	return h.store.BreachByID(c.UserContext(), id)
}
