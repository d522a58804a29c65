package routes

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// signUpForm is what the sign-up form posts.
type signUpForm struct {
	Username, Email, Password, Confirm string
}

func parseSignUp(c *fiber.Ctx) signUpForm {
	return signUpForm{
		Username: strings.TrimSpace(c.FormValue("username")),
		Email:    account.NormalizeEmail(c.FormValue("email")),
		Password: c.FormValue("new_password"),
		Confirm:  c.FormValue("new_password_confirm"),
	}
}

func (h *Handler) validateNewPassword(errs views.FieldErrors, password, confirm, username, email string) {
	if msg := h.policy.Check(password, username, email); msg != "" {
		errs["new_password"] = msg
	} else if password != confirm {
		errs["new_password_confirm"] = "The two passwords differ."
	}
}

func (f signUpForm) validate(h *Handler) views.FieldErrors {
	errs := views.FieldErrors{}
	if !account.ValidUsername(f.Username) {
		errs["username"] = "Use 3 to 32 letters, digits, dots, dashes or underscores."
	}
	if !account.ValidEmail(f.Email) {
		errs["email"] = "Enter an e-mail address like name@example.org."
	}
	h.validateNewPassword(errs, f.Password, f.Confirm, f.Username, f.Email)
	return errs
}

var errSignUpClosed = apperr.New(apperr.NotFound, "Sign-up is closed on this instance: ask its admin for an account.")

// showSignUp renders the sign-up page when registration is open.
func (h *Handler) showSignUp(c *fiber.Ctx) error {
	if !h.cfg.Registration.Allowed {
		return errSignUpClosed
	}
	return render(c, fiber.StatusOK, views.SignUp(h.page(c, "Sign up"), views.SignUpForm{}))
}

// signUp creates an account, its own key, and signs it in.
func (h *Handler) signUp(c *fiber.Ctx) error {
	if !h.cfg.Registration.Allowed {
		return errSignUpClosed
	}
	ctx := c.UserContext()
	f := parseSignUp(c)
	form := views.SignUpForm{Username: f.Username, Email: f.Email, Errors: f.validate(h)}
	if len(form.Errors) == 0 {
		password := account.NormalizePassword(f.Password)
		hash, err := h.hasher.Hash(ctx, password)
		if err != nil {
			return err
		}
		recipient, wrapped, identity, err := h.vault.NewKey(ctx, password)
		if err != nil {
			return err
		}
		user := &store.User{Username: f.Username, Email: f.Email, PasswordHash: hash, Role: store.RoleUser}
		err = h.store.CreateUser(ctx, user)
		switch {
		case errors.Is(err, store.ErrUsernameTaken):
			form.Errors["username"] = store.ErrUsernameTaken.Message
		case errors.Is(err, store.ErrEmailTaken):
			form.Errors["email"] = store.ErrEmailTaken.Message
		case err != nil:
			return err
		default:
			if _, err := h.store.ChangePassword(ctx, user.ID, store.PasswordChange{
				Hash: hash, AgeRecipient: recipient, WrappedIdentity: wrapped,
			}); err != nil {
				return err
			}
			user.AgeRecipient, user.WrappedIdentity = recipient, wrapped
			h.record(c, user.ID, user.ID, store.EventSignUp, "")
			return h.finishSignIn(c, user, identity)
		}
	}
	p := h.page(c, "Sign up")
	if isHTMX(c) {
		return render(c, fiber.StatusUnprocessableEntity, views.SignUpPanel(p, form))
	}
	return render(c, fiber.StatusUnprocessableEntity, views.SignUp(p, form))
}
