package routes

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
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
	switch {
	case f.Password == "":
		errs["password"] = "Enter your password."
	case len(f.Password) > account.MaxPasswordBytes:
		errs["password"] = "Passwords are at most 256 bytes long."
	}
	return errs
}

// busyRetryAfter is the Retry-After, in seconds, of a request that found
// every key slot busy: about a few unlocks' time.
const busyRetryAfter = 5

// errKeysBusy answers a request that waited too long for a key slot (see
// account.VaultOptions): the server is unlocking other keys.
var errKeysBusy = apperr.New(apperr.Unavailable, "The server is busy unlocking other accounts' keys. Try again in a few seconds.")

// keyError turns a vault's ErrBusy into errKeysBusy, a 503 with Retry-After.
func keyError(err error) error {
	if errors.Is(err, account.ErrBusy) {
		return errKeysBusy
	}
	return err
}

// badCredentials is the one answer to a wrong username, a wrong password and
// a disabled account alike: it never says whether an account exists.
const badCredentials = "The username or password is not right."

// showSignIn renders the sign-in page.
func (h *Handler) showSignIn(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.SignIn(h.page(c, "Sign in"), views.SignInForm{SignUp: h.signUpOpen()}))
}

func (h *Handler) renderSignIn(c *fiber.Ctx, status int, form views.SignInForm) error {
	form.SignUp = h.signUpOpen()
	p := h.page(c, "Sign in")
	if isHTMX(c) {
		return render(c, status, views.SignInPanel(p, form))
	}
	return render(c, status, views.SignIn(p, form))
}

// signIn checks the credentials and starts a session. Failures are
// throttled per account (whichever login names it) and per client address,
// or for a browser that signed in to the account before, per browser (see
// signInLimits); they are logged for the account.
func (h *Handler) signIn(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := parseSignIn(c)
	form := views.SignInForm{Username: f.Username, Errors: f.validate()}
	if len(form.Errors) > 0 {
		return h.renderSignIn(c, fiber.StatusUnprocessableEntity, form)
	}
	user, err := h.store.UserByLogin(ctx, f.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	limits := h.signInLimits(c, user, f.Username)
	if wait := h.throttle.Wait(limits.keys...); wait > 0 {
		if user != nil {
			h.record(c, user.ID, 0, store.EventSignInThrottled, "")
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds()+0.999)))
		form.Message = fmt.Sprintf("Too many failed attempts. Wait %s and try again.", humanDuration(wait))
		return h.renderSignIn(c, fiber.StatusTooManyRequests, form)
	}

	ok, rehash, err := h.accounts.CheckPassword(ctx, user, f.Password)
	if err != nil {
		return err
	}
	if !ok || user.Disabled {
		h.throttle.Fail(limits.keys...)
		if user != nil {
			h.record(c, user.ID, 0, store.EventSignInFailed, "")
		}
		form.Message = badCredentials
		return h.renderSignIn(c, fiber.StatusUnprocessableEntity, form)
	}
	h.throttle.Succeed(limits.clear)

	var identity *age.X25519Identity
	if user.HasVault() {
		identity, err = h.vault.Unwrap(ctx, user.ID, user.WrappedIdentity, account.NormalizePassword(f.Password))
		if errors.Is(err, account.ErrBusy) {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(busyRetryAfter))
			form.Message = errKeysBusy.Message
			return h.renderSignIn(c, fiber.StatusServiceUnavailable, form)
		}
		if err != nil {
			return fmt.Errorf("sign in: %w", err)
		}
	}
	if rehash {
		if err := h.accounts.Rehash(ctx, user, f.Password); err != nil {
			return err
		}
	}
	return h.passwordProven(c, user, limits, identity)
}

// finishSignIn starts the session of a user whose credentials (every
// factor) are proven; the session, the account's last sign-in and the log
// entry are one transaction.
func (h *Handler) finishSignIn(c *fiber.Ctx, user *store.User, identity *age.X25519Identity) error {
	if _, err := h.startSession(c, user, identity, h.accounts.SignIn); err != nil {
		return err
	}
	if err := h.rememberDevice(c, user.ID); err != nil {
		return err
	}
	return redirect(c, homeOf(user))
}

// signOut ends the session and logs it, in one transaction; its key goes
// once that is done.
func (h *Handler) signOut(c *fiber.Ctx) error {
	if s := currentSession(c); s != nil {
		if err := h.accounts.SignOut(c.UserContext(), h.self(c, s.UserID), s.IDHash); err != nil {
			return err
		}
		h.vault.Drop(s.IDHash)
	}
	h.cookies.session.clear(c)
	c.Locals(localSession, nil)
	c.Locals(localUser, nil)
	h.flash(c, views.FlashSuccess, "You are signed out.")
	return redirect(c, "/signin")
}
