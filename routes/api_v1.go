package routes

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/search"
)

// /api/v1 is the JSON API for scripts (see openapi.json). Its answers are
// the web pages' answers in JSON, serialised from the same domain results
// (package search); a personal API token with the right scope authorises
// each call.

// maxSearchLen bounds a searched account: an e-mail address has at most
// 254 characters.
const maxSearchLen = 320

// apiHit is one breach an account is in.
type apiHit struct {
	Title       string   `json:"title"`
	Date        string   `json:"date,omitempty"` // YYYY-MM-DD
	DataClasses []string `json:"data_classes"`
	Verified    bool     `json:"verified"`
	Source      string   `json:"source"`        // "local" or "hibp"
	URL         string   `json:"url,omitempty"` // the local breach's page
}

// apiSearchResult is GET /api/v1/search's answer.
type apiSearchResult struct {
	Kind          string   `json:"kind"` // "email" or "username"
	Found         bool     `json:"found"`
	Breaches      []apiHit `json:"breaches"`
	LocalBreaches int      `json:"local_breaches"`
	// HIBP is "asked", "off" (not configured) or "failed" (see notice).
	HIBP   string `json:"hibp"`
	Notice string `json:"notice,omitempty"`
}

// apiSearch looks an account (an e-mail address or a username) up, as the
// search page does. Passwords have no place in a URL: scripts check them
// with /range, k-anonymously.
func (h *Handler) apiSearch(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	if q == "" || len(q) > maxSearchLen {
		return apiError(c, fiber.StatusBadRequest, "bad_request", "q must be an e-mail address or a username.")
	}
	r, err := h.searcher.Account(c.UserContext(), currentUser(c).ID, q)
	if err != nil {
		return err
	}
	out := apiSearchResult{Kind: kindName(r.Kind), Found: r.Found(), Breaches: make([]apiHit, 0, len(r.Local)+len(r.Remote)),
		LocalBreaches: r.LocalBreaches, HIBP: apiHIBP(r.HIBP), Notice: hibpNotice(r.HIBP)}
	for i := range r.Local {
		b := &r.Local[i]
		out.Breaches = append(out.Breaches, apiHit{Title: cmp.Or(b.Title, b.Name), Date: apiDay(b.Date),
			DataClasses: orEmpty(b.DataClasses), Verified: b.IsVerified, Source: "local", URL: "/breaches/" + strconv.FormatInt(b.ID, 10)})
	}
	for _, b := range r.Remote {
		out.Breaches = append(out.Breaches, apiHit{Title: cmp.Or(b.Title, b.Name), Date: apiDay(b.BreachDate.Time),
			DataClasses: orEmpty(b.DataClasses), Verified: b.IsVerified, Source: "hibp"})
	}
	return c.JSON(out)
}

// apiHIBP is what became of HIBP as the API says it.
func apiHIBP(s search.HIBP) string {
	switch s {
	case search.HIBPAsked:
		return "asked"
	case search.HIBPOff:
		return "off"
	}
	return "failed"
}

// apiDay is a day as the API writes it; "" (left out) when unknown.
func apiDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
