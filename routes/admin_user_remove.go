package routes

import (
	"errors"
	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/store"
	"pcmt/views"
)

// resetUserPassword gives an account a generated password that must change
// at next sign-in, and discards its key: what the user encrypted becomes
// unreadable, which the form says and makes the admin confirm. The
// password is shown once, in this response, so the answer is a page.
// Admins change their own password in their settings instead.
func (h *Handler) resetUserPassword(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	if admin.ID == u.ID {
		return h.refuseUserForm(c, u, "reset", nil, "Change your own password under Settings → Password: a reset would discard your own key.")
	}
	if c.FormValue("confirm") != "yes" {
		return h.refuseUserForm(c, u, "reset", views.FieldErrors{
			"confirm": "Tick the box to confirm that " + u.Username + "’s encrypted data becomes unreadable.",
		}, "")
	}
	password := h.policy.GeneratePasswordFor(u.Username, u.Email)
	hash, err := h.hasher.Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	// No recipient and no wrapped identity: the key is gone. No session is
	// kept: every browser of the user is signed out.
	revoked, err := h.store.ChangePassword(ctx, u.ID, store.PasswordChange{Hash: hash, MustChangePassword: true})
	if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	h.revokeTokens(c, u.ID)
	detail := plural(revoked, "session signed out", "sessions signed out")
	if u.HasVault() {
		detail = "encryption key discarded, " + detail
	}
	h.record(c, u.ID, admin.ID, store.EventPasswordReset, detail)
	u.MustChangePassword = true
	return render(c, fiber.StatusOK, views.AdminPasswordShown(h.page(c, "Password reset"), views.AdminOneTimePassword{
		User: userRow(u), Password: password, Reset: true, KeyDiscarded: u.HasVault(),
	}))
}

// adminDeleteForm is what the delete form posts: the username typed again.
type adminDeleteForm struct {
	adminOwnForm
	ConfirmUsername string
}

// deleteUser removes an account and signs it out everywhere; the activity
// log keeps its history. The last active admin can't be deleted.
func (h *Handler) deleteUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	self := admin.ID == u.ID
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
	err = h.store.DeleteUser(c.UserContext(), u.ID)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "delete", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	h.record(c, u.ID, admin.ID, store.EventUserDeleted, "account "+u.Username)
	if self {
		return h.signOutSelf(c, "Your account is deleted.")
	}
	h.flash(c, views.FlashSuccess, "Account "+u.Username+" is deleted.")
	return redirect(c, "/admin/users")
}
