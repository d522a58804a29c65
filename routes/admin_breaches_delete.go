package routes

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"

	"pcmt/views"
)

// deleteBreach removes a breach and every record of it. The form asks for
// the breach's name typed again: a slip of the mouse deletes nothing.
func (h *Handler) deleteBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm_name") != b.Name {
		f := breachForm(&b)
		f.DeleteErrors = views.FieldErrors{"confirm_name": "Type the breach name exactly as shown: " + b.Name + "."}
		return h.renderAdminBreach(c, fiber.StatusUnprocessableEntity, &b, f)
	}
	if err := h.store.DeleteBreach(c.UserContext(), b.ID); err != nil {
		return err
	}
	h.record(c, 0, currentUser(c).ID, store.EventBreachDeleted, fmt.Sprintf("%s (%d records)", b.Name, b.Records))
	h.log.Info("breach deleted", "breach", b.Name, "records", b.Records, "admin", currentUser(c).Username,
		"request_id", requestIDOf(c))
	h.flash(c, views.FlashSuccess, "Breach "+b.Name+" and its records are deleted.")
	return redirect(c, "/admin/breaches")
}
