package routes

import (
	"bytes"
	"context"

	"github.com/gofiber/fiber/v2"

	"pcmt/search"
	"pcmt/store"
	"pcmt/views"
)

// GET /search/range answers the password-check script (static/src/
// pwcheck.js), which sends short prefixes of a password's digests and
// compares the rest in the browser: search.Searcher.Prefix holds the rules
// (the plan of kinds and digits, what is merged from where).

// passwordRange is showPasswordRange's answer.
type passwordRange struct {
	Entries []passwordRangeEntry `json:"entries"`
	// Breaches are the local breaches the entries name.
	Breaches []rangeBreach `json:"breaches"`
	HIBPOff  bool          `json:"hibpOff"`
	Notice   string        `json:"notice,omitempty"`
}

// rangeBreach is a local breach as the search page lists it: the script
// orders hits as a password search does, by date (YYYY-MM-DD, "" when unknown)
// and then id, both descending.
type rangeBreach struct {
	ID   int64  `json:"id"`
	Date string `json:"date"`
	HTML string `json:"html"`
}

type passwordRangeEntry struct {
	// Suffix is the rest of the hash after the prefix, uppercase hex.
	Suffix string `json:"suffix"`
	// Count is how often the corpora have seen it.
	Count    uint64  `json:"count"`
	Breaches []int64 `json:"breaches,omitempty"`
}

// showPasswordRange answers the password-check script: every password
// digest of one kind starting with a prefix that the corpora, HIBP's range
// API (SHA-1) and the local breaches hold, with counts and breaches.
func (h *Handler) showPasswordRange(c *fiber.Ctx) error {
	ctx := c.UserContext()
	kind, ok := store.ParsePasswordKind(c.Query("kind"))
	if !ok {
		return search.ErrPrefixKind
	}
	found, err := h.searcher.Prefix(ctx, kind, c.Query("prefix"))
	if err != nil {
		return err
	}
	out := passwordRange{Entries: make([]passwordRangeEntry, len(found.Entries)), Breaches: make([]rangeBreach, len(found.Breaches)),
		HIBPOff: h.hibp == nil, Notice: hibpNotice(found.HIBP)}
	for i, e := range found.Entries {
		out.Entries[i] = passwordRangeEntry{Suffix: e.Suffix, Count: e.Count, Breaches: e.Breaches}
	}
	for i := range found.Breaches {
		if out.Breaches[i], err = rangeBreachOf(ctx, &found.Breaches[i]); err != nil {
			return err
		}
	}
	return c.JSON(out)
}

// rangeBreachOf renders a local breach as a search hit.
func rangeBreachOf(ctx context.Context, b *store.Breach) (rangeBreach, error) {
	hit := localHit(b)
	var buf bytes.Buffer
	if err := views.SearchHitItem(hit).Render(ctx, &buf); err != nil {
		return rangeBreach{}, err
	}
	out := rangeBreach{ID: b.ID, HTML: buf.String()}
	if !hit.Date.IsZero() {
		out.Date = hit.Date.Format("2006-01-02")
	}
	return out, nil
}

// passwordPlan is the plan the search page hands the script, SHA-1 first.
func (h *Handler) passwordPlan(ctx context.Context) ([]views.PasswordKind, error) {
	plan, err := h.searcher.Plan(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]views.PasswordKind, len(plan))
	for i, p := range plan {
		out[i] = views.PasswordKind{Name: p.Kind.Name(), Digits: p.Digits}
	}
	return out, nil
}
