package routes

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

// resetUserPassword gives an account a generated password by the accounts
// rules: its key is discarded, so what the user encrypted becomes
// unreadable, which the form says and makes the admin confirm. The
// password is shown once, in this response, so the answer is a page.
// Admins change their own password in their settings instead.
func (h *Handler) resetUserPassword(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	if admin.ID == u.ID {
		return h.refuseUserForm(c, u, "reset", nil, accounts.ErrOwnReset.Message)
	}
	if c.FormValue("confirm") != "yes" {
		return h.refuseUserForm(c, u, "reset", views.FieldErrors{
			"confirm": "Tick the box to confirm that " + u.Username + "’s encrypted data becomes unreadable.",
		}, "")
	}
	done, err := h.accounts.ResetPassword(c.UserContext(), accounts.Reset{User: u, ActorID: admin.ID, IP: h.clientIP(c)})
	if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	return render(c, fiber.StatusOK, views.AdminPasswordShown(h.page(c, "Password reset"), views.AdminOneTimePassword{
		User: userRow(u), Password: done.GeneratedPassword, Reset: true, KeyDiscarded: done.KeyDiscarded,
	}))
}

// adminDeleteForm is what the delete form posts: the username typed again.
type adminDeleteForm struct {
	adminOwnForm
	ConfirmUsername string
}

// deleteUser removes an account and signs it out everywhere by the
// accounts rules; the activity log keeps its history.
func (h *Handler) deleteUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	change := h.change(c, u)
	self := change.ActorID == u.ID
	f := adminDeleteForm{adminOwnForm{c.FormValue("current_password")}, c.FormValue("confirm_username")}
	errs := views.FieldErrors{}
	if f.ConfirmUsername != u.Username {
		errs["confirm_username"] = "Type the username exactly as shown: " + u.Username + "."
	}
	status, err := h.checkAdminForm(c, self, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "delete", Errors: errs})
	}
	err = h.accounts.Delete(c.UserContext(), change)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "delete", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	if self {
		return h.signOutSelf(c, "Your account is deleted.")
	}
	h.flash(c, views.FlashSuccess, "Account "+u.Username+" is deleted.")
	return redirect(c, "/admin/users")
}
