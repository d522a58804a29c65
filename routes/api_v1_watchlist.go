package routes

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
)

// The watchlist through the API. Values are encrypted to the user's key,
// which only a signed-in session unlocks: a token can add and remove
// values, and list them with where they were found, but never read a
// stored value back. A script knows what it added; the server keeps no
// copy it could show.

// apiWatchItem is one watched value as the API shows it.
type apiWatchItem struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"` // "email" or "username"
	Added    time.Time `json:"added"`
	Breaches []string  `json:"breaches"` // names of the breaches it is in
}

func kindName(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "email"
	}
	return "username"
}

// isAdmin: admins keep no watchlist and never search.
func isAdmin(c *fiber.Ctx) bool { return currentUser(c).Role == store.RoleAdmin }

func refuseAdmin(c *fiber.Ctx) error {
	return apiError(c, fiber.StatusForbidden, "forbidden", "Admins keep no watchlist.")
}

// apiWatchlist lists the user's watched values (without the values).
func (h *Handler) apiWatchlist(c *fiber.Ctx) error {
	if isAdmin(c) {
		return refuseAdmin(c)
	}
	user := currentUser(c)
	items, err := h.store.WatchItems(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	alerts, err := h.store.AlertsFor(c.UserContext(), user.ID, 10000)
	if err != nil {
		return err
	}
	found := map[int64][]string{}
	for _, a := range alerts {
		found[a.WatchItemID] = append(found[a.WatchItemID], a.Breach.Name)
	}
	out := make([]apiWatchItem, 0, len(items))
	for _, it := range items {
		names := found[it.ID]
		if names == nil {
			names = []string{}
		}
		out = append(out, apiWatchItem{ID: it.ID, Kind: kindName(it.Kind), Added: it.CreatedAt.UTC(), Breaches: names})
	}
	return c.JSON(fiber.Map{"items": out})
}

// apiAddWatch adds {"value": "…"}: an e-mail address or a username.
func (h *Handler) apiAddWatch(c *fiber.Ctx) error {
	if isAdmin(c) {
		return refuseAdmin(c)
	}
	var in struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return apiError(c, fiber.StatusBadRequest, "bad_request", `The body must be JSON: {"value": "an e-mail address or a username"}.`)
	}
	f := watchForm{Value: strings.TrimSpace(in.Value)}
	if msg := f.validate(); msg != "" {
		return apiError(c, fiber.StatusUnprocessableEntity, "invalid_value", msg)
	}
	user := currentUser(c)
	added, refusal, err := h.addWatch(c.UserContext(), user, f.Value)
	switch {
	case err != nil:
		return err
	case refusal == store.ErrWatchDuplicate:
		return apiError(c, fiber.StatusConflict, "duplicate", refusal.Message)
	case refusal != nil:
		return apiError(c, fiber.StatusUnprocessableEntity, "refused", refusal.Message)
	}
	names := make([]string, 0, len(added.Found))
	for _, b := range added.Found {
		names = append(names, b.Name)
	}
	return c.Status(fiber.StatusCreated).JSON(apiWatchItem{ID: added.ID, Kind: kindName(added.Kind), Added: h.now().UTC(), Breaches: names})
}

// apiDeleteWatch removes one of the user's values; another user's is 404.
func (h *Handler) apiDeleteWatch(c *fiber.Ctx) error {
	if isAdmin(c) {
		return refuseAdmin(c)
	}
	id, ok := userID(c.Params("id"))
	if !ok {
		return apperr.ErrNotFound
	}
	err := h.store.DeleteWatchItem(c.UserContext(), currentUser(c).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiError(c, fiber.StatusNotFound, "not_found", "There is no such watched value.")
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
