package routes

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

// parseNewUser reads the new-user form. An empty password asks for a
// generated one.
func parseNewUser(c *fiber.Ctx) accounts.NewUser {
	n := accounts.NewUser{
		Username: strings.TrimSpace(c.FormValue("username")),
		Email:    account.NormalizeEmail(c.FormValue("email")),
		Password: c.FormValue("password"),
		Role:     store.RoleUser,
	}
	if c.FormValue("admin") == "yes" {
		n.Role = store.RoleAdmin
	}
	return n
}

// showNewUser renders the new-user form.
func (h *Handler) showNewUser(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.AdminNewUser(h.page(c, "New user"), views.AdminNewUserForm{}))
}

// createUser makes an account by the accounts rules. A generated password
// is shown once, in this response, and stored only as a hash: so this
// answer is a page, not a redirect.
func (h *Handler) createUser(c *fiber.Ctx) error {
	n := parseNewUser(c)
	n.ActorID, n.IP = currentUser(c).ID, h.clientIP(c)
	form := views.AdminNewUserForm{Username: n.Username, Email: n.Email, Admin: n.Role == store.RoleAdmin}
	created, err := h.accounts.CreateUser(c.UserContext(), n)
	if form.Errors = fieldErrors(err, nil); form.Errors != nil {
		return render(c, fiber.StatusUnprocessableEntity, views.AdminNewUser(h.page(c, "New user"), form))
	}
	if err != nil {
		return err
	}
	user := created.User
	if created.GeneratedPassword == "" {
		h.flash(c, views.FlashSuccess, "Account "+user.Username+" created. They choose their own password at first sign-in.")
		return redirect(c, "/admin/users/"+strconv.FormatInt(user.ID, 10))
	}
	return render(c, fiber.StatusOK, views.AdminPasswordShown(h.page(c, "Account created"),
		views.AdminOneTimePassword{User: userRow(user), Password: created.GeneratedPassword}))
}
