package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// deleteBreach removes a breach and every record of it by the breaches
// rules: the form asks for the breach's name typed again.
func (h *Handler) deleteBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	err = h.breaches.DeleteBreach(c.UserContext(), h.actor(c), &b, c.FormValue("confirm_name"))
	if errs := fieldErrors(err, nil); errs != nil {
		f := breachForm(&b)
		f.DeleteErrors = errs
		return h.renderAdminBreach(c, fiber.StatusUnprocessableEntity, &b, f)
	} else if err != nil {
		return err
	}
	h.log.Info("breach deleted", "breach", b.Name, "records", b.Records, "admin", currentUser(c).Username,
		"request_id", requestIDOf(c))
	h.flash(c, views.FlashSuccess, "Breach "+b.Name+" and its records are deleted.")
	return redirect(c, "/admin/breaches")
}
