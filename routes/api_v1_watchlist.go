package routes

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// The watchlist through the API. Values are encrypted to the user's key,
// which only a signed-in session unlocks: a token can add and remove
// values, and list them with where they were found, but never read a
// stored value back. A script knows what it added; the server keeps no
// copy it could show.
//
// Where a value was found is shown as the token's scopes allow (tokenSees):
// the watchlist scopes alone must not make a search, by adding a value and
// reading its breaches back.

// apiWatchItem is one watched value as the API shows it.
type apiWatchItem struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"` // "email" or "username"
	Added    time.Time `json:"added"`
	Breaches []string  `json:"breaches"` // names of the breaches it is in that the token sees
}

// tokenSees says whether token t may see that a value watched since added
// is in breach b. The breaches that held the value when it was added
// (known at once, or found later by an HIBP recheck that asked about every
// breach of HIBP's list) are what a search for it finds: only a token with
// the search scope sees them. A breach that reached this instance after
// the value was added is what watching it found, the news the user is
// mailed about: a token that may read the watchlist sees it, since nobody
// can make a breach arrive by adding a value.
func tokenSees(t *store.Token, added time.Time, b *store.Breach) bool {
	return t.HasScope(store.ScopeSearch) || b.AddedAt.After(added)
}

func kindName(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "email"
	}
	return "username"
}

// apiWatchlist lists the user's watched values (without the values).
func (h *Handler) apiWatchlist(c *fiber.Ctx) error {
	user, token := currentUser(c), currentToken(c)
	items, err := h.store.WatchItems(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	added := make(map[int64]time.Time, len(items))
	for _, it := range items {
		added[it.ID] = it.CreatedAt
	}
	alerts, err := h.store.AlertsFor(c.UserContext(), user.ID, 10000)
	if err != nil {
		return err
	}
	found := map[int64][]string{}
	for i := range alerts {
		a := &alerts[i]
		if tokenSees(token, added[a.WatchItemID], &a.Breach) {
			found[a.WatchItemID] = append(found[a.WatchItemID], a.Breach.Name)
		}
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

// apiAddWatch adds {"value": "…"}: an e-mail address or a username. The
// breaches already holding it are in the answer only for a token that may
// search (tokenSees).
func (h *Handler) apiAddWatch(c *fiber.Ctx) error {
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
	token := currentToken(c)
	names := make([]string, 0, len(added.Found))
	for i := range added.Found {
		if tokenSees(token, added.At, &added.Found[i]) {
			names = append(names, added.Found[i].Name)
		}
	}
	return c.Status(fiber.StatusCreated).JSON(apiWatchItem{ID: added.ID, Kind: kindName(added.Kind), Added: added.At.UTC(), Breaches: names})
}

// apiDeleteWatch removes one of the user's values; another user's is 404.
func (h *Handler) apiDeleteWatch(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	err = h.store.DeleteWatchItem(c.UserContext(), currentUser(c).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiError(c, fiber.StatusNotFound, "not_found", "There is no such watched value.")
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
