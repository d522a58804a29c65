package routes

import (
	"errors"
	"net/mail"
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
		Email:    normalizeEmail(c.FormValue("email")),
		Password: c.FormValue("new_password"),
		Confirm:  c.FormValue("new_password_confirm"),
	}
}

// normalizeEmail trims and lower-cases an address: e-mails are unique and
// compared without case.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validUsername allows 3 to 32 ASCII letters, digits, dots, dashes and
// underscores: names that are unambiguous on any screen.
func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return !strings.Contains(s, "@")
}

// validEmail accepts a bare address of at most 254 bytes.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
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
	if !validUsername(f.Username) {
		errs["username"] = "Use 3 to 32 letters, digits, dots, dashes or underscores."
	}
	if !validEmail(f.Email) {
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
