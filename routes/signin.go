package routes

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// signInForm is what the sign-in form posts.
type signInForm struct {
	Username string
	Password string
}

func parseSignIn(c *fiber.Ctx) signInForm {
	return signInForm{
		Username: strings.TrimSpace(c.FormValue("username")),
		Password: c.FormValue("password"),
	}
}

func (f signInForm) validate() views.FieldErrors {
	errs := views.FieldErrors{}
	switch {
	case f.Username == "":
		errs["username"] = "Enter your username or e-mail address."
	case !utf8.ValidString(f.Username) || len(f.Username) > 254:
		errs["username"] = "This is not a username or e-mail address."
	}
	if f.Password == "" {
		errs["password"] = "Enter your password."
	}
	return errs
}

// showSignIn renders the sign-in page.
func (h *Handler) showSignIn(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.SignIn(h.page(c, "Sign in"), views.SignInForm{}))
}

// signIn checks the credentials. No account store exists yet, so every
// well-formed attempt is refused with the message a wrong password gets.
func (h *Handler) signIn(c *fiber.Ctx) error {
	f := parseSignIn(c)
	form := views.SignInForm{Username: f.Username, Errors: f.validate()}
	if len(form.Errors) == 0 {
		form.Message = "The username or password is not right."
	}
	p := h.page(c, "Sign in")
	if isHTMX(c) {
		return render(c, fiber.StatusUnprocessableEntity, views.SignInPanel(p, form))
	}
	return render(c, fiber.StatusUnprocessableEntity, views.SignIn(p, form))
}
