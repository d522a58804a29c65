package routes

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// totpIssuer names the instance in authenticator apps.
const totpIssuer = "pcmt"

// showTwoFactor shows whether two-factor sign-in is on, with the forms to
// turn it on, make new recovery codes or turn it off.
func (h *Handler) showTwoFactor(c *fiber.Ctx) error {
	return h.renderTwoFactor(c, fiber.StatusOK, nil)
}

func (h *Handler) renderTwoFactor(c *fiber.Ctx, status int, errs views.FieldErrors) error {
	ctx := c.UserContext()
	user := currentUser(c)
	s := views.TwoFactorStatus{Errors: errs}
	state, err := h.accounts.TwoFactor(ctx, user.ID)
	if err != nil {
		return err
	}
	s.Enabled, s.EnabledAt, s.CodesLeft = state.On, state.Since, state.CodesLeft
	return render(c, status, views.TwoFactor(h.page(c, "Two-factor sign-in"), s))
}

// confirmPassword re-authenticates the signed-in user before a two-factor
// change, throttled like the password form. It returns the message for the
// password field of the form named by field, and the status to answer with;
// an empty message means the password is right.
func (h *Handler) confirmPassword(c *fiber.Ctx, field string) (views.FieldErrors, int, error) {
	user := currentUser(c)
	password := c.FormValue("current_password")
	if password == "" {
		return views.FieldErrors{field: "Enter your current password."}, fiber.StatusUnprocessableEntity, nil
	}
	msg, status, err := h.reauth(c, user, password, "two-factor settings")
	if err != nil || msg == "" {
		return nil, 0, err
	}
	return views.FieldErrors{field: msg}, status, nil
}

// setupTwoFactor starts an enrolment after the password and shows its
// secret as a QR code.
func (h *Handler) setupTwoFactor(c *fiber.Ctx) error {
	user := currentUser(c)
	if errs, status, err := h.confirmPassword(c, "setup-password"); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return h.renderTwoFactor(c, status, errs)
	}
	secret, err := h.accounts.StartTwoFactorSetup(c.UserContext(), h.self(c, user.ID))
	if err != nil {
		return err
	}
	return h.renderSetup(c, fiber.StatusOK, user, secret, nil)
}

func (h *Handler) renderSetup(c *fiber.Ctx, status int, user *store.User, secret []byte, errs views.FieldErrors) error {
	uri := account.TOTPURI(totpIssuer, user.Username, secret)
	code, err := qrCode(uri)
	if err != nil {
		return err
	}
	s := views.TwoFactorSetup{QR: code, URI: uri, Secret: account.GroupTOTPSecret(secret), Errors: errs}
	return render(c, status, views.TwoFactorSetupPage(h.page(c, "Set up two-factor sign-in"), s))
}

// enableTwoFactor turns two-factor sign-in on with the first code from the
// app and shows the recovery codes, once; a refused code shows the set-up
// again, and a set-up gone (expired, never started, already on) sends the
// user back to start it.
func (h *Handler) enableTwoFactor(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	by := h.self(c, user.ID)
	codes, err := h.accounts.EnableTwoFactor(ctx, by, c.FormValue("code"))
	var refused accounts.Refused
	if errors.As(err, &refused) {
		var secret []byte
		if secret, err = h.accounts.PendingTwoFactor(ctx, by); err == nil {
			return h.renderSetup(c, fiber.StatusUnprocessableEntity, user, secret,
				views.FieldErrors{"code": refused[accounts.FieldCode]})
		}
	}
	for _, gone := range []*apperr.Error{accounts.ErrNoEnrolment, accounts.ErrTwoFactorOn, accounts.ErrEnrolmentExpired} {
		if errors.Is(err, gone) {
			h.flash(c, views.FlashInfo, gone.Message)
			return redirect(c, "/settings/2fa")
		}
	}
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.RecoveryCodes(h.page(c, "Recovery codes"), views.RecoveryCodesView{Codes: codes, Enabled: true}))
}

// disableTwoFactor turns two-factor sign-in off after the password.
func (h *Handler) disableTwoFactor(c *fiber.Ctx) error {
	user := currentUser(c)
	if errs, status, err := h.confirmPassword(c, "disable-password"); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return h.renderTwoFactor(c, status, errs)
	}
	if _, err := h.accounts.DisableTwoFactor(c.UserContext(), h.self(c, user.ID)); err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "Two-factor sign-in is off. Your password alone signs you in.")
	return redirect(c, "/settings/2fa")
}

// regenerateRecoveryCodes replaces the recovery codes after the password
// and shows the new ones, once.
func (h *Handler) regenerateRecoveryCodes(c *fiber.Ctx) error {
	user := currentUser(c)
	if errs, status, err := h.confirmPassword(c, "recovery-password"); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return h.renderTwoFactor(c, status, errs)
	}
	codes, err := h.accounts.ReplaceRecoveryCodes(c.UserContext(), h.self(c, user.ID))
	if errors.Is(err, accounts.ErrTwoFactorOff) {
		h.flash(c, views.FlashInfo, accounts.ErrTwoFactorOff.Message)
		return redirect(c, "/settings/2fa")
	}
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.RecoveryCodes(h.page(c, "Recovery codes"), views.RecoveryCodesView{Codes: codes}))
}
