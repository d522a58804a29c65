package routes

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/watch"
)

// The watchlist through the API, by package watch's rules as on the page.
// Values are encrypted to the user's key, which only a signed-in session
// unlocks: a token can add and remove values, and list them with where
// they were found, but never read a stored value back. A script knows what
// it added; the server keeps no copy it could show. Where a value was found
// is shown as the token's scopes allow (watch.TokenSees).

// apiWatchItem is one watched value as the API shows it.
type apiWatchItem struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"` // "email" or "username"
	Added    time.Time `json:"added"`
	Breaches []string  `json:"breaches"` // names of the breaches it is in that the token sees
}

// newAPIWatchItem is it as token sees it.
func newAPIWatchItem(it watch.Item, token *store.Token) apiWatchItem {
	seen := it.SeenBy(token)
	names := make([]string, len(seen))
	for i := range seen {
		names[i] = seen[i].Name
	}
	return apiWatchItem{ID: it.ID, Kind: kindName(it.Kind), Added: it.Added.UTC(), Breaches: names}
}

// apiWatchlist lists the user's watched values (without the values).
func (h *Handler) apiWatchlist(c *fiber.Ctx) error {
	items, err := h.watchlist.List(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	token := currentToken(c)
	out := make([]apiWatchItem, 0, len(items))
	for _, it := range items {
		out = append(out, newAPIWatchItem(it, token))
	}
	return c.JSON(fiber.Map{"items": out})
}

// apiAddWatch adds {"value": "…"}: an e-mail address or a username. The
// breaches already holding it are in the answer only for a token that may
// search (watch.TokenSees).
func (h *Handler) apiAddWatch(c *fiber.Ctx) error {
	var in struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return apiError(c, fiber.StatusBadRequest, "bad_request", `The body must be JSON: {"value": "an e-mail address or a username"}.`)
	}
	added, err := h.watchlist.Add(c.UserContext(), currentUser(c), in.Value)
	if refused := (*watch.Refused)(nil); errors.As(err, &refused) {
		switch refused.Reason {
		case watch.Invalid:
			return apiError(c, fiber.StatusUnprocessableEntity, "invalid_value", refused.Message)
		case watch.Duplicate:
			return apiError(c, fiber.StatusConflict, "duplicate", refused.Message)
		default:
			return apiError(c, fiber.StatusUnprocessableEntity, "refused", refused.Message)
		}
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newAPIWatchItem(added, currentToken(c)))
}

// apiDeleteWatch removes one of the user's values; another user's is 404.
func (h *Handler) apiDeleteWatch(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	err = h.watchlist.Remove(c.UserContext(), currentUser(c).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiError(c, fiber.StatusNotFound, "not_found", "There is no such watched value.")
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
