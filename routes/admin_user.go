package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/views"
)

// targetUser is the account an admin URL names.
func (h *Handler) targetUser(c *fiber.Ctx) (*store.User, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return h.store.User(c.UserContext(), id)
}

// showUser renders one account with its actions.
func (h *Handler) showUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	return h.renderUser(c, fiber.StatusOK, u, views.AdminUserView{})
}

// renderUser renders an account's page; v carries a refused form's
// messages.
func (h *Handler) renderUser(c *fiber.Ctx, status int, u *store.User, v views.AdminUserView) error {
	v.User, v.HasKey, v.Self = userRow(u), u.HasVault(), currentUser(c).ID == u.ID
	if v.Form != "email" {
		v.Email = u.Email
	}
	return render(c, status, views.AdminUser(h.page(c, u.Username), v))
}

// refuseUserForm re-renders an account's page, 422, with the refused form's
// field errors and message.
func (h *Handler) refuseUserForm(c *fiber.Ctx, u *store.User, form string, errs views.FieldErrors, message string) error {
	return h.renderUser(c, fiber.StatusUnprocessableEntity, u, views.AdminUserView{Form: form, Errors: errs, Message: message})
}
