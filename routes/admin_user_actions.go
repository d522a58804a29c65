package routes

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/apperr"
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
	admin := currentUser(c)
	key := reauthThrottleKey(admin.ID)
	if wait := h.throttle.Wait(key); wait > 0 {
		errs["current_password"] = fmt.Sprintf("Too many wrong passwords. Wait %s and try again.", humanDuration(wait))
		return fiber.StatusTooManyRequests, nil
	}
	ok, _, err := h.checkPassword(c.UserContext(), admin, password)
	if err != nil {
		return 0, err
	}
	if !ok {
		h.throttle.Fail(key)
		h.record(c, admin.ID, admin.ID, store.EventSignInFailed, "wrong password to confirm an admin action")
		errs["current_password"] = "This is not your password."
		return fiber.StatusUnprocessableEntity, nil
	}
	return 0, nil
}

// signOutSelf ends the request's session after the store revoked every
// session of the acting admin.
func (h *Handler) signOutSelf(c *fiber.Ctx, message string) error {
	h.cookies.clear(c)
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

// changeUserEmail changes an account's e-mail address.
func (h *Handler) changeUserEmail(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	self := admin.ID == u.ID
	f := adminEmailForm{adminOwnForm{c.FormValue("current_password")}, account.NormalizeEmail(c.FormValue("email"))}
	errs := views.FieldErrors{}
	refuse := func(status int) error {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "email", Email: f.Email, Errors: errs})
	}
	if !account.ValidEmail(f.Email) {
		errs["email"] = "Enter an e-mail address like name@example.org."
	} else if f.Email == u.Email {
		return h.backToUser(c, u, views.FlashInfo, "The e-mail address is unchanged.")
	}
	status, err := h.checkAdminForm(c, self, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return refuse(status)
	}
	err = h.store.SetEmail(c.UserContext(), u.ID, f.Email)
	if errors.Is(err, store.ErrEmailTaken) {
		errs["email"] = store.ErrEmailTaken.Message
		return refuse(fiber.StatusUnprocessableEntity)
	} else if err != nil {
		return err
	}
	detail := "by an admin"
	if self {
		detail = ""
	}
	h.record(c, u.ID, admin.ID, store.EventEmailChanged, detail)
	return h.backToUser(c, u, views.FlashSuccess, "The e-mail address of "+u.Username+" is now "+f.Email+".")
}

// adminRoleForm is what the role form posts: the role wanted, not a toggle, so
// that a form sent twice does not undo itself.
type adminRoleForm struct {
	adminOwnForm
	Role    store.Role
	Confirm bool
}

var errSelfPromotion = apperr.New(apperr.Forbidden, "An admin never promotes themselves.")

// changeUserRole makes an account an admin or a user. Admins may demote
// themselves, with their password and a confirmation, unless they are the
// last active admin; they never promote themselves.
func (h *Handler) changeUserRole(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	self := admin.ID == u.ID
	f := adminRoleForm{adminOwnForm{c.FormValue("current_password")}, store.Role(c.FormValue("role")), c.FormValue("confirm") == "yes"}
	switch {
	case f.Role != store.RoleAdmin && f.Role != store.RoleUser:
		return apperr.New(apperr.Invalid, "The form named no role.")
	case self && f.Role == store.RoleAdmin:
		return errSelfPromotion
	case f.Role == u.Role:
		return h.backToUser(c, u, views.FlashInfo, u.Username+" already has the "+string(f.Role)+" role.")
	}
	errs := views.FieldErrors{}
	refuse := func(status int) error {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "role", Errors: errs})
	}
	if self && !f.Confirm {
		errs["confirm"] = "Tick the box to confirm that you give up your admin role."
	}
	status, err := h.checkAdminForm(c, self, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return refuse(status)
	}
	revoked, err := h.store.SetRole(c.UserContext(), u.ID, f.Role)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "role", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	h.revokeTokens(c, u.ID)
	h.record(c, u.ID, admin.ID, store.EventRoleChanged, fmt.Sprintf("%s → %s", u.Role, f.Role))
	if self {
		return h.signOutSelf(c, "You are no longer an admin. Sign in again to continue as a user.")
	}
	return h.backToUser(c, u, views.FlashSuccess, fmt.Sprintf("%s now has the %s role and was signed out (%s).",
		u.Username, f.Role, plural(revoked, "session", "sessions")))
}

// disableUser stops an account from signing in and signs it out
// everywhere; the last active admin can't be disabled.
func (h *Handler) disableUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	admin := currentUser(c)
	self := admin.ID == u.ID
	if u.Disabled {
		return h.backToUser(c, u, views.FlashInfo, u.Username+" is already disabled.")
	}
	f := adminOwnForm{c.FormValue("current_password")}
	errs := views.FieldErrors{}
	status, err := h.checkAdminForm(c, self, f.CurrentPassword, errs)
	if err != nil {
		return err
	}
	if status != 0 {
		return h.renderUser(c, status, u, views.AdminUserView{Form: "status", Errors: errs})
	}
	revoked, err := h.store.SetDisabled(c.UserContext(), u.ID, true)
	if errors.Is(err, store.ErrLastAdmin) {
		return h.refuseUserForm(c, u, "status", nil, store.ErrLastAdmin.Message)
	} else if err != nil {
		return err
	}
	h.forgetKeys(u.ID, nil)
	h.revokeTokens(c, u.ID)
	h.record(c, u.ID, admin.ID, store.EventUserDisabled, plural(revoked, "session signed out", "sessions signed out"))
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
	if !u.Disabled {
		return h.backToUser(c, u, views.FlashInfo, u.Username+" is not disabled.")
	}
	if _, err := h.store.SetDisabled(c.UserContext(), u.ID, false); err != nil {
		return err
	}
	h.record(c, u.ID, currentUser(c).ID, store.EventUserEnabled, "")
	return h.backToUser(c, u, views.FlashSuccess, u.Username+" can sign in again.")
}

// revokeTokens ends a user's API tokens with their sessions: a disabled,
// reset or re-roled account keeps no way in. A failure is logged; the
// token guard refuses disabled and reset users anyway.
func (h *Handler) revokeTokens(c *fiber.Ctx, userID int64) {
	if _, err := h.store.RevokeUserTokens(c.UserContext(), userID, h.now()); err != nil {
		h.log.Error("revoke tokens", "err", err, "user", userID, "request_id", requestIDOf(c))
	}
}
