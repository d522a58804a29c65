package routes

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

// totpIssuer names the instance in authenticator apps.
const totpIssuer = "pcmt"

// pendingEnrolmentTTL is how long a QR code shown at set-up stays good.
const pendingEnrolmentTTL = 30 * time.Minute

// showTwoFactor shows whether two-factor sign-in is on, with the forms to
// turn it on, make new recovery codes or turn it off.
func (h *Handler) showTwoFactor(c *fiber.Ctx) error {
	return h.renderTwoFactor(c, fiber.StatusOK, nil)
}

func (h *Handler) renderTwoFactor(c *fiber.Ctx, status int, errs views.FieldErrors) error {
	ctx := c.UserContext()
	user := currentUser(c)
	s := views.TwoFactorStatus{Errors: errs}
	row, err := h.store.TOTP(ctx, user.ID)
	switch {
	case err == nil && row.Enabled():
		s.Enabled, s.EnabledAt = true, row.EnabledAt
		if s.CodesLeft, err = h.store.RecoveryCodesLeft(ctx, user.ID); err != nil {
			return err
		}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
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

// setupTwoFactor starts an enrolment: a new secret, sealed and kept as
// pending until a code from the app proves the app has it.
func (h *Handler) setupTwoFactor(c *fiber.Ctx) error {
	user := currentUser(c)
	if errs, status, err := h.confirmPassword(c, "setup-password"); err != nil || errs != nil {
		if err != nil {
			return err
		}
		return h.renderTwoFactor(c, status, errs)
	}
	secret := account.NewTOTPSecret()
	sealed := h.twoFactor.box.Seal(user.ID, secret)
	if err := h.store.SetPendingTOTP(c.UserContext(), user.ID, sealed, h.twoFactor.now()); err != nil {
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

// enableTwoFactor checks the first code from the app against the pending
// secret, turns two-factor sign-in on and shows the recovery codes, once.
func (h *Handler) enableTwoFactor(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	row, err := h.store.TOTP(ctx, user.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.flash(c, views.FlashInfo, "Start the set-up again: no QR code is waiting for a code.")
		return redirect(c, "/settings/2fa")
	case err != nil:
		return err
	case row.Enabled():
		h.flash(c, views.FlashInfo, "Two-factor sign-in is already on.")
		return redirect(c, "/settings/2fa")
	case h.twoFactor.now().Sub(row.CreatedAt) > pendingEnrolmentTTL:
		h.flash(c, views.FlashInfo, "That QR code has expired. Start the set-up again.")
		return redirect(c, "/settings/2fa")
	}
	secret, _, err := h.twoFactor.box.Open(user.ID, row.Sealed)
	if err != nil {
		return err
	}
	code, ok := account.ParseTOTPCode(c.FormValue("code"))
	if !ok {
		return h.renderSetup(c, fiber.StatusUnprocessableEntity, user, secret,
			views.FieldErrors{"code": "Enter the 6-digit code your app shows."})
	}
	step, ok := account.VerifyTOTP(secret, code, h.twoFactor.now(), row.LastStep)
	if !ok {
		return h.renderSetup(c, fiber.StatusUnprocessableEntity, user, secret,
			views.FieldErrors{"code": "This code is not right. Check that your phone’s clock is correct, and enter the newest code."})
	}
	codes, err := h.accounts.EnableTwoFactor(ctx, h.self(c, user.ID), step)
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
