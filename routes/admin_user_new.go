package routes

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/store"
	"pcmt/views"
)

// newUserForm is what the new-user form posts. An empty Password asks for
// a generated one.
type newUserForm struct {
	Username, Email, Password string
	Admin                     bool
}

func parseNewUser(c *fiber.Ctx) newUserForm {
	return newUserForm{
		Username: strings.TrimSpace(c.FormValue("username")),
		Email:    account.NormalizeEmail(c.FormValue("email")),
		Password: c.FormValue("password"),
		Admin:    c.FormValue("admin") == "yes",
	}
}

func (f newUserForm) validate(h *Handler) views.FieldErrors {
	errs := views.FieldErrors{}
	if !account.ValidUsername(f.Username) {
		errs["username"] = "Use 3 to 32 letters, digits, dots, dashes or underscores."
	}
	if !account.ValidEmail(f.Email) {
		errs["email"] = "Enter an e-mail address like name@example.org."
	}
	if f.Password != "" {
		if msg := h.policy.Check(f.Password, f.Username, f.Email); msg != "" {
			errs["password"] = msg
		}
	}
	return errs
}

// showNewUser renders the new-user form.
func (h *Handler) showNewUser(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.AdminNewUser(h.page(c, "New user"), views.AdminNewUserForm{}))
}

// createUser makes an account that must change its password at first
// sign-in; its key is made then, by its owner. A generated password is
// shown once, in this response, and stored only as a hash: so this answer
// is a page, not a redirect.
func (h *Handler) createUser(c *fiber.Ctx) error {
	ctx := c.UserContext()
	admin := currentUser(c)
	f := parseNewUser(c)
	form := views.AdminNewUserForm{Username: f.Username, Email: f.Email, Admin: f.Admin, Errors: f.validate(h)}
	if len(form.Errors) > 0 {
		return h.refuseNewUser(c, form)
	}
	password, generated := f.Password, f.Password == ""
	if generated {
		password = h.policy.GeneratePasswordFor(f.Username, f.Email)
	}
	hash, err := h.hasher.Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	role := store.RoleUser
	if f.Admin {
		role = store.RoleAdmin
	}
	user := &store.User{Username: f.Username, Email: f.Email, PasswordHash: hash, Role: role, MustChangePassword: true}
	err = h.store.CreateUser(ctx, user)
	switch {
	case errors.Is(err, store.ErrUsernameTaken):
		form.Errors["username"] = store.ErrUsernameTaken.Message
		return h.refuseNewUser(c, form)
	case errors.Is(err, store.ErrEmailTaken):
		form.Errors["email"] = store.ErrEmailTaken.Message
		return h.refuseNewUser(c, form)
	case err != nil:
		return err
	}
	h.record(c, user.ID, admin.ID, store.EventUserCreated, "as "+string(role))
	if !generated {
		h.flash(c, views.FlashSuccess, "Account "+user.Username+" created. They choose their own password at first sign-in.")
		return redirect(c, "/admin/users/"+strconv.FormatInt(user.ID, 10))
	}
	return render(c, fiber.StatusOK, views.AdminPasswordShown(h.page(c, "Account created"),
		views.AdminOneTimePassword{User: userRow(user), Password: password}))
}

func (h *Handler) refuseNewUser(c *fiber.Ctx, form views.AdminNewUserForm) error {
	return render(c, fiber.StatusUnprocessableEntity, views.AdminNewUser(h.page(c, "New user"), form))
}
