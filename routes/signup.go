package routes

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// The sign-up flow and why it takes two steps: see accounts/signup_pending.go.

var errSignUpClosed = apperr.New(apperr.NotFound, "Sign-up is closed on this instance: ask its admin for an account.")

// signUpAgain sends a browser back to the first form: it had no sign-up,
// or its sign-up ended.
const signUpAgain = "Enter your e-mail address to get a code. A code works for 30 minutes and five tries, " +
	"and an address is mailed at most every 5 minutes."

// signUpOpen says whether anyone may sign up: registration is allowed and
// the mailer can send the codes (config validation requires both).
func (h *Handler) signUpOpen() bool {
	return h.cfg.Registration.Allowed && h.cfg.Mailer.Enabled
}

func (h *Handler) validateNewPassword(errs views.FieldErrors, password, confirm, username, email string) {
	if msg := h.accounts.Policy().Check(password, username, email); msg != "" {
		errs["new_password"] = msg
	} else if password != confirm {
		errs["new_password_confirm"] = "The two passwords differ."
	}
}

// showSignUp renders the first sign-up form, which asks for the address.
func (h *Handler) showSignUp(c *fiber.Ctx) error {
	if !h.signUpOpen() {
		return errSignUpClosed
	}
	return render(c, fiber.StatusOK, views.SignUp(h.page(c, "Sign up"), views.SignUpForm{}))
}

// signUp takes the address and has accounts mail it: a code when it has
// no account, a note to its owner when it has one. The answer is the same
// either way (a redirect to the code form, with this browser remembering
// the address), and so is the work (accounts.StartSignUp).
func (h *Handler) signUp(c *fiber.Ctx) error {
	if !h.signUpOpen() {
		return errSignUpClosed
	}
	email := account.NormalizeEmail(c.FormValue("email"))
	queued, err := h.accounts.StartSignUp(c.UserContext(), email)
	if errs := fieldErrors(err, nil); errs != nil {
		form := views.SignUpForm{Email: email, Errors: errs}
		p := h.page(c, "Sign up")
		if isHTMX(c) {
			return render(c, fiber.StatusUnprocessableEntity, views.SignUpPanel(p, form))
		}
		return render(c, fiber.StatusUnprocessableEntity, views.SignUp(p, form))
	}
	if err != nil {
		return err
	}
	if queued {
		h.mailQueued()
	}
	if err := h.cookies.signUp.set(c, []byte(email), h.now()); err != nil {
		return err
	}
	return redirect(c, "/signup/code")
}

// signUpCodeForm is what the second sign-up form posts.
type signUpCodeForm struct {
	Code, Username, Password, Confirm string
}

func parseSignUpCode(c *fiber.Ctx) signUpCodeForm {
	return signUpCodeForm{
		Code:     strings.TrimSpace(c.FormValue("code")),
		Username: strings.TrimSpace(c.FormValue("username")),
		Password: c.FormValue("new_password"),
		Confirm:  c.FormValue("new_password_confirm"),
	}
}

// signUpFields names the sign-up form's fields where the accounts rules
// name them otherwise.
var signUpFields = map[accounts.Field]string{accounts.FieldPassword: "new_password"}

func (f signUpCodeForm) signUp(email, ip string) accounts.SignUp {
	return accounts.SignUp{Username: f.Username, Email: email, Password: f.Password, Code: f.Code, IP: ip}
}

func (f signUpCodeForm) validate(h *Handler, email string) views.FieldErrors {
	errs := fieldErrors(h.accounts.CheckSignUp(f.signUp(email, "")), signUpFields)
	if errs == nil {
		errs = views.FieldErrors{}
	}
	if errs["new_password"] == "" && f.Password != f.Confirm {
		errs["new_password_confirm"] = "The two passwords differ."
	}
	return errs
}

// showSignUpCode asks for the code of this browser's sign-up.
func (h *Handler) showSignUpCode(c *fiber.Ctx) error {
	if !h.signUpOpen() {
		return errSignUpClosed
	}
	email, ok := h.signUpEmail(c)
	if !ok {
		return h.restartSignUp(c, signUpAgain)
	}
	return render(c, fiber.StatusOK, views.SignUpCode(h.page(c, "Sign up"), views.SignUpCodeForm{Email: email}))
}

// signUpWithCode has accounts check the code and create the account. The
// form is checked here first, so that a form refused (the two passwords
// differing included) costs no try of the code; accounts.FinishSignUp does
// the rest cheapest first, the password hash and the key last.
func (h *Handler) signUpWithCode(c *fiber.Ctx) error {
	if !h.signUpOpen() {
		return errSignUpClosed
	}
	email, ok := h.signUpEmail(c)
	if !ok {
		return h.restartSignUp(c, signUpAgain)
	}
	f := parseSignUpCode(c)
	form := views.SignUpCodeForm{Email: email, Username: f.Username, Errors: f.validate(h, email)}
	refuse := func(status int) error {
		p := h.page(c, "Sign up")
		if isHTMX(c) {
			return render(c, status, views.SignUpCodePanel(p, form))
		}
		return render(c, status, views.SignUpCode(p, form))
	}
	if len(form.Errors) > 0 {
		return refuse(fiber.StatusUnprocessableEntity)
	}
	user, identity, err := h.accounts.FinishSignUp(c.UserContext(), f.signUp(email, h.clientIP(c)))
	if errors.Is(err, accounts.ErrSignUpOver) {
		return h.restartSignUp(c, signUpAgain)
	}
	if errors.Is(err, store.ErrEmailTaken) {
		// Registered meanwhile (an admin made the account): only the
		// address's owner, who has the code, reads this.
		return h.restartSignUp(c, "An account with this address was made meanwhile: sign in with it instead.")
	}
	if form.Errors = fieldErrors(err, signUpFields); form.Errors != nil {
		return refuse(fiber.StatusUnprocessableEntity)
	}
	if err != nil {
		return keyError(err)
	}
	h.cookies.signUp.clear(c)
	return h.finishSignIn(c, user, identity)
}

// restartSignUp sends a browser whose sign-up is gone back to the first
// form.
func (h *Handler) restartSignUp(c *fiber.Ctx, message string) error {
	h.cookies.signUp.clear(c)
	h.flash(c, views.FlashInfo, message)
	return redirect(c, "/signup")
}

// signUpEmail is the address of this browser's pending sign-up.
func (h *Handler) signUpEmail(c *fiber.Ctx) (string, bool) {
	v, ok := h.cookies.signUp.get(c)
	if !ok {
		return "", false
	}
	email := string(v)
	return email, h.accounts.SignUpPending(email)
}

// mailQueued wakes the outbox for mail just queued, when there is one.
func (h *Handler) mailQueued() {
	if h.outbox != nil {
		h.outbox.Kick()
	}
}
