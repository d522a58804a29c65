package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// showBreaches lists the known breaches: metadata and counts, never records.
func (h *Handler) showBreaches(c *fiber.Ctx) error {
	list, err := h.store.Breaches(c.UserContext())
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.Breaches(h.page(c, "Breaches"), breachViews(list)))
}

// showBreach renders one breach's page.
func (h *Handler) showBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	v := breachView(&b)
	return render(c, fiber.StatusOK, views.Breach(h.page(c, v.Heading()), v))
}

// targetBreach is the breach the URL's :id names; a malformed id is not
// found, like an unknown one.
func (h *Handler) targetBreach(c *fiber.Ctx) (store.Breach, error) {
	id, ok := userID(c.Params("id"))
	if !ok {
		return store.Breach{}, apperr.ErrNotFound
	}
	return h.store.BreachByID(c.UserContext(), id)
}

func breachViews(list []store.Breach) []views.BreachView {
	out := make([]views.BreachView, len(list))
	for i := range list {
		out[i] = breachView(&list[i])
	}
	return out
}

func breachView(b *store.Breach) views.BreachView {
	return views.BreachView{
		ID: b.ID, Name: b.Name, Title: b.Title, Domain: b.Domain,
		Date: b.Date, AddedAt: b.AddedAt, ModifiedAt: b.ModifiedAt,
		Verified: b.IsVerified, Description: b.Description, DataClasses: b.DataClasses,
		HashType: b.HashType, Unsearchable: !b.Searchable() && (b.Hashes > 0 || b.ContainsHashes),
		Emails: b.Emails, Usernames: b.Usernames, Passwords: b.Passwords, Hashes: b.Hashes,
		Skipped: b.Skipped, Invalid: b.Invalid, Records: b.Records,
	}
}
