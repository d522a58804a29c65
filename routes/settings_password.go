package routes

import (
	"filippo.io/age"
	"github.com/gofiber/fiber/v2"

	"pcmt/accounts"
	"pcmt/views"
)

// passwordForm is what the password form posts.
type passwordForm struct {
	Current, New, Confirm string
}

func parsePassword(c *fiber.Ctx) passwordForm {
	return passwordForm{
		Current: c.FormValue("current_password"),
		New:     c.FormValue("new_password"),
		Confirm: c.FormValue("new_password_confirm"),
	}
}

func (h *Handler) renderPassword(c *fiber.Ctx, status int, form views.PasswordForm) error {
	u := currentUser(c)
	form.Forced, form.FirstKey = u.MustChangePassword, !u.HasVault()
	p := h.page(c, "Change password")
	if isHTMX(c) && status != fiber.StatusOK {
		return render(c, status, views.PasswordPanel(p, form))
	}
	return render(c, status, views.Password(p, form))
}

// showPassword renders the password form.
func (h *Handler) showPassword(c *fiber.Ctx) error {
	return h.renderPassword(c, fiber.StatusOK, views.PasswordForm{})
}

// changePassword re-authenticates the user and changes their password by
// the accounts rules: their key re-wrapped (or, the first time, made), this
// browser moved to a new session, every other session and API token ended.
func (h *Handler) changePassword(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user, sess := currentUser(c), currentSession(c)
	f := parsePassword(c)
	errs := views.FieldErrors{}
	if f.Current == "" {
		errs["current_password"] = "Enter your current password."
	}
	h.validateNewPassword(errs, f.New, f.Confirm, user.Username, user.Email)
	if errs["new_password"] == "" && f.New == f.Current {
		errs["new_password"] = "The new password is the same as the current one."
	}
	if len(errs) > 0 {
		return h.renderPassword(c, fiber.StatusUnprocessableEntity, views.PasswordForm{Errors: errs})
	}
	if msg, status, err := h.reauth(c, user, f.Current, "password change"); err != nil {
		return err
	} else if msg != "" {
		errs["current_password"] = msg
		return h.renderPassword(c, status, views.PasswordForm{Errors: errs})
	}

	var identity *age.X25519Identity
	if user.HasVault() {
		var err error
		if identity, err = h.vault.Identity(sess.IDHash); err != nil {
			return err
		}
	}
	var keep []byte
	done, err := h.accounts.ChangeOwnPassword(ctx, accounts.OwnPassword{
		User: user, Current: f.Current, New: f.New, Identity: identity, IP: h.clientIP(c),
		StartSession: func(identity *age.X25519Identity) (hash []byte, err error) {
			keep, err = h.startSession(c, user, identity, h.accounts.StartSession)
			return keep, err
		},
	})
	if err != nil {
		return keyError(err)
	}
	h.forgetKeys(user.ID, keep)
	revoked, tokens := done.Revoked, done.Tokens

	msg := "Your password is changed."
	if revoked > 0 {
		msg += " " + plural(revoked, "other session was", "other sessions were") + " signed out."
	}
	if tokens > 0 {
		msg += " Your API tokens were revoked; create new ones."
	}
	h.flash(c, views.FlashSuccess, msg)
	return redirect(c, homeOf(user))
}
