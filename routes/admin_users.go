package routes

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// usersPerPage is the length of one page of the user list.
const usersPerPage = 25

// userListQuery is what the user list is asked for.
type userListQuery struct {
	Search string
	Page   int
}

// parseUserList reads q and page leniently: a bad page number shows the
// first page rather than an error.
func parseUserList(c *fiber.Ctx) userListQuery {
	q := c.Query("q")
	if len(q) > 254 {
		q = q[:254] // a rune cut in two is dropped with the invalid bytes below
	}
	q = strings.TrimSpace(strings.ToValidUTF8(q, ""))
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return userListQuery{Search: q, Page: page}
}

// showUsers renders the user list, or under htmx its panel alone.
func (h *Handler) showUsers(c *fiber.Ctx) error {
	q := parseUserList(c)
	list, err := h.userPage(c, q)
	if err != nil {
		return err
	}
	if wantsUsersPanel(c) {
		return render(c, fiber.StatusOK, views.AdminUsersPanel(list))
	}
	return render(c, fiber.StatusOK, views.AdminUsers(h.page(c, "Users"), list))
}

// userPage loads one page of the list; past the end, the last page.
func (h *Handler) userPage(c *fiber.Ctx, q userListQuery) (views.AdminUserList, error) {
	ctx := c.UserContext()
	found, err := h.store.ListUsers(ctx, q.Search, usersPerPage, (q.Page-1)*usersPerPage)
	if err != nil {
		return views.AdminUserList{}, err
	}
	pages := max(1, (found.Total+usersPerPage-1)/usersPerPage)
	if q.Page > pages {
		q.Page = pages
		if found, err = h.store.ListUsers(ctx, q.Search, usersPerPage, (q.Page-1)*usersPerPage); err != nil {
			return views.AdminUserList{}, err
		}
	}
	list := views.AdminUserList{Query: q.Search, Page: q.Page, Pages: pages, Total: found.Total}
	for i := range found.Users {
		list.Rows = append(list.Rows, userRow(&found.Users[i]))
	}
	return list, nil
}

// wantsUsersPanel reports whether htmx asked for a part of the page. A history
// restore asks for the whole page (HX-Request-Type: full).
func wantsUsersPanel(c *fiber.Ctx) bool {
	return isHTMX(c) && c.Get("HX-Request-Type") != "full" && c.Get("HX-History-Restore-Request") != "true"
}

func userRow(u *store.User) views.AdminUserRow {
	return views.AdminUserRow{
		ID: u.ID, Username: u.Username, Email: u.Email, Admin: u.IsAdmin(), Disabled: u.Disabled,
		MustChange: u.MustChangePassword, CreatedAt: u.CreatedAt, LastSignIn: u.LastSignInAt,
	}
}

// parseUserID reads the :id of an admin URL: a positive decimal number
// without sign or leading zeros, or not found.
func parseUserID(c *fiber.Ctx) (int64, error) {
	id, ok := userID(c.Params("id"))
	if !ok {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// userID parses s when it is the canonical decimal form of a positive
// int64, so that one account has one address.
func userID(s string) (int64, bool) {
	if s == "" || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// targetUser is the account an admin URL names.
func (h *Handler) targetUser(c *fiber.Ctx) (*store.User, error) {
	id, err := parseUserID(c)
	if err != nil {
		return nil, err
	}
	return h.store.User(c.UserContext(), id)
}

// showUser renders one account with its actions.
func (h *Handler) showUser(c *fiber.Ctx) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	return h.renderUser(c, fiber.StatusOK, u, views.AdminUserView{})
}

// renderUser renders an account's page; v carries a refused form's
// messages.
func (h *Handler) renderUser(c *fiber.Ctx, status int, u *store.User, v views.AdminUserView) error {
	v.User, v.HasKey, v.Self = userRow(u), u.HasVault(), currentUser(c).ID == u.ID
	if v.Form != "email" {
		v.Email = u.Email
	}
	return render(c, status, views.AdminUser(h.page(c, u.Username), v))
}

// refuseUserForm re-renders an account's page, 422, with the refused form's
// field errors and message.
func (h *Handler) refuseUserForm(c *fiber.Ctx, u *store.User, form string, errs views.FieldErrors, message string) error {
	return h.renderUser(c, fiber.StatusUnprocessableEntity, u, views.AdminUserView{Form: form, Errors: errs, Message: message})
}
