package routes

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// /api/v1 is the JSON API for scripts (see openapi.json). Its answers are
// the web pages' answers in JSON; a personal API token with the right
// scope authorises each call.

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
	r, kind, err := h.searchAccount(c.UserContext(), currentUser(c).ID, q)
	if err != nil {
		return err
	}
	out := apiSearchResult{Kind: "username", Breaches: []apiHit{}, LocalBreaches: r.LocalBreaches, Notice: r.Notice}
	if kind == store.RecordEmail {
		out.Kind = "email"
	}
	switch {
	case r.AskedHIBP:
		out.HIBP = "asked"
	case r.HIBPOff:
		out.HIBP = "off"
	default:
		out.HIBP = "failed"
	}
	for _, hit := range r.Hits {
		a := apiHit{Title: hit.Title, DataClasses: hit.DataClasses, Verified: hit.Verified, Source: "local", URL: string(hit.Href)}
		if a.DataClasses == nil {
			a.DataClasses = []string{}
		}
		if hit.Source != "local" {
			a.Source = "hibp"
		}
		if !hit.Date.IsZero() {
			a.Date = hit.Date.Format("2006-01-02")
		}
		out.Breaches = append(out.Breaches, a)
	}
	out.Found = len(out.Breaches) > 0
	return c.JSON(out)
}
