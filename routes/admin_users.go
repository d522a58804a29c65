package routes

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

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
	if wantsPanel(c) {
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
