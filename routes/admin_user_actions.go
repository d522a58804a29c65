package routes

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

// Every action here is an admin's on an account: it lands in the activity
// log with the admin as actor and the account as user. Those that revoke
// the account's sessions also forget their unlocked keys at once; when
// admins act on themselves they need their password and are signed out.

// backToUser redirects to an account's page with a flash.
func (h *Handler) backToUser(c *fiber.Ctx, u *store.User, kind views.FlashKind, message string) error {
	h.flash(c, kind, message)
	return redirect(c, string(userRow(u).Href()))
}

// checkAdminForm ends the validation of an action's form: errs holds the
// messages of its own fields, and admins acting on their own account must
// give their password too. It returns 0 when the action may go on, else the
// status to refuse the form with.
func (h *Handler) checkAdminForm(c *fiber.Ctx, self bool, password string, errs views.FieldErrors) (int, error) {
	if self && password == "" {
		errs["current_password"] = "Enter your password: changes to your own account need it."
	}
	if len(errs) > 0 {
		return fiber.StatusUnprocessableEntity, nil
	}
	if !self {
		return 0, nil
	}
	msg, status, err := h.reauth(c, currentUser(c), password, "an admin action on their own account")
	if msg != "" {
		errs["current_password"] = msg
	}
	return status, err
}

// signOutSelf ends the request's session after the store revoked every
// session of the acting admin.
func (h *Handler) signOutSelf(c *fiber.Ctx, message string) error {
	h.cookies.session.clear(c)
	c.Locals(localSession, nil)
	c.Locals(localUser, nil)
	h.flash(c, views.FlashInfo, message)
	return redirect(c, "/signin")
}

// adminOwnForm is the password of admins acting on their own account.
type adminOwnForm struct {
	CurrentPassword string
}

// adminEmailForm is what the e-mail form posts.
type adminEmailForm struct {
	adminOwnForm
	Email string
}

// changeUserEmail changes an account's e-mail address by the accounts rules.
func (h *Handler) changeUserEmail(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	change := h.change(c, u)
	f := adminEmailForm{adminOwnForm{c.FormValue("current_password")}, account.NormalizeEmail(c.FormValue("email"))}
	errs := views.FieldErrors{}
	refuse := func(status int) error {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "email", Email: f.Email, Errors: errs})
	}
	if err := accounts.CheckEmail(change, f.Email); errors.Is(err, accounts.ErrUnchanged) {
		return h.backToUser(c, u, views.FlashInfo, "The e-mail address is unchanged.")
	} else if err != nil {
		errs = fieldErrors(err, nil)
	}
	status, err := h.checkAdminForm(c, change.ActorID == u.ID, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return refuse(status)
	}
	err = h.accounts.SetEmail(c.UserContext(), change, f.Email)
	if errors.Is(err, store.ErrEmailTaken) {
		errs["email"] = store.ErrEmailTaken.Message
		return refuse(fiber.StatusUnprocessableEntity)
	} else if err != nil {
		return err
	}
	return h.backToUser(c, u, views.FlashSuccess, "The e-mail address of "+u.Username+" is now "+f.Email+".")
}

// adminRoleForm is what the role form posts: the role wanted, not a toggle, so
// that a form sent twice does not undo itself.
type adminRoleForm struct {
	adminOwnForm
	Role    store.Role
	Confirm bool
}

// changeUserRole makes an account an admin or a user by the accounts rules.
// Admins demoting themselves confirm it and give their password.
func (h *Handler) changeUserRole(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	change := h.change(c, u)
	self := change.ActorID == u.ID
	f := adminRoleForm{adminOwnForm{c.FormValue("current_password")}, store.Role(c.FormValue("role")), c.FormValue("confirm") == "yes"}
	if err := accounts.CheckRole(change, f.Role); errors.Is(err, accounts.ErrUnchanged) {
		return h.backToUser(c, u, views.FlashInfo, u.Username+" already has the "+string(f.Role)+" role.")
	} else if err != nil {
		return err
	}
	errs := views.FieldErrors{}
	if self && !f.Confirm {
		errs["confirm"] = "Tick the box to confirm that you give up your admin role."
	}
	status, err := h.checkAdminForm(c, self, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "role", Errors: errs})
	}
	revoked, err := h.accounts.SetRole(c.UserContext(), change, f.Role)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "role", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	if self {
		return h.signOutSelf(c, "You are no longer an admin. Sign in again to continue as a user.")
	}
	return h.backToUser(c, u, views.FlashSuccess, fmt.Sprintf("%s now has the %s role and was signed out (%s).",
		u.Username, f.Role, plural(revoked, "session", "sessions")))
}

// disableUser stops an account from signing in and signs it out
// everywhere by the accounts rules.
func (h *Handler) disableUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	change := h.change(c, u)
	self := change.ActorID == u.ID
	if u.Disabled {
		return h.backToUser(c, u, views.FlashInfo, u.Username+" is already disabled.")
	}
	errs := views.FieldErrors{}
	status, err := h.checkAdminForm(c, self, c.FormValue("current_password"), errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "status", Errors: errs})
	}
	_, err = h.accounts.Disable(c.UserContext(), change)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "status", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	if self {
		return h.signOutSelf(c, "Your account is disabled. Another admin can enable it again.")
	}
	return h.backToUser(c, u, views.FlashSuccess, u.Username+" is disabled and was signed out.")
}

// enableUser lets a disabled account sign in again.
func (h *Handler) enableUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	err = h.accounts.Enable(c.UserContext(), h.change(c, u))
	if errors.Is(err, accounts.ErrUnchanged) {
		return h.backToUser(c, u, views.FlashInfo, u.Username+" is not disabled.")
	} else if err != nil {
		return err
	}
	return h.backToUser(c, u, views.FlashSuccess, u.Username+" can sign in again.")
}
