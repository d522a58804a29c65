package routes

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pcmt/hibp"
	"pcmt/store"
)

// /api/v3 answers like the Have I Been Pwned API v3, from the instance's
// own breaches, so that HIBP clients pointed at it (a base URL option)
// work unchanged: the same paths, query parameters, JSON field names, date
// formats and status codes. The caller's personal API token goes where
// HIBP's key goes, in the hibp-api-key header.

// hibpName is a breach of a truncated answer.
type hibpName struct {
	Name string `json:"Name"`
}

// toHIBP is b as HIBP describes a breach: dates in whole seconds, UTC.
func toHIBP(b store.Breach) hibp.Breach {
	return hibp.Breach{
		Name: b.Name, Title: b.Title, Domain: b.Domain, BreachDate: hibp.Day{Time: b.Date},
		AddedDate:    b.AddedAt.UTC().Truncate(time.Second),
		ModifiedDate: b.ModifiedAt.UTC().Truncate(time.Second),
		PwnCount:     max(b.Emails, b.Usernames, b.Passwords+b.Hashes),
		Description:  b.Description, DataClasses: orEmpty(b.DataClasses), IsVerified: b.IsVerified,
	}
}

// breachedAccountV3 lists the breaches an account is in. truncateResponse
// (default true) gives names only; includeUnverified (default true) and
// domain filter. Not found is 404 with no body, as HIBP answers.
func (h *Handler) breachedAccountV3(c *fiber.Ctx) error {
	account, ok := parseAccount(c.Params("account"))
	if !ok {
		return apiError(c, fiber.StatusBadRequest, "bad_request", "Bad request — the account does not comply with an acceptable format.")
	}
	_, found, err := h.searcher.Local(c.UserContext(), account)
	if err != nil {
		return err
	}
	unverified := c.Query("includeUnverified") != "false"
	domain := strings.ToLower(c.Query("domain"))
	found = slices.DeleteFunc(found, func(b store.Breach) bool {
		return !unverified && !b.IsVerified || domain != "" && strings.ToLower(b.Domain) != domain
	})
	if len(found) == 0 {
		c.Status(fiber.StatusNotFound) // with no body, as HIBP answers
		return nil
	}
	if c.Query("truncateResponse") != "false" {
		names := make([]hibpName, len(found))
		for i, b := range found {
			names[i] = hibpName{b.Name}
		}
		return c.JSON(names)
	}
	return c.JSON(hibpList(found))
}

func hibpList(bs []store.Breach) []hibp.Breach {
	out := make([]hibp.Breach, len(bs))
	for i, b := range bs {
		out[i] = toHIBP(b)
	}
	return out
}

// parseAccount reads the account of a breachedaccount path. Clients escape
// it (an @ becomes %40); the app does not unescape paths for the other
// routes. An account is 1 to 320 bytes of valid UTF-8 without control
// characters.
func parseAccount(raw string) (string, bool) {
	account, err := url.PathUnescape(raw)
	account = strings.TrimSpace(account)
	if err != nil || account == "" || len(account) > 320 || !utf8.ValidString(account) ||
		strings.ContainsFunc(account, unicode.IsControl) {
		return "", false
	}
	return account, true
}

// breachesV3 lists every breach, or those of ?domain=.
func (h *Handler) breachesV3(c *fiber.Ctx) error {
	bs, err := h.store.Breaches(c.UserContext())
	if err != nil {
		return err
	}
	if domain := strings.ToLower(c.Query("domain")); domain != "" {
		bs = slices.DeleteFunc(bs, func(b store.Breach) bool { return strings.ToLower(b.Domain) != domain })
	}
	return c.JSON(hibpList(bs))
}

// breachV3 is one breach by name; 404 when there is none.
func (h *Handler) breachV3(c *fiber.Ctx) error {
	name, err := url.PathUnescape(c.Params("name"))
	if err != nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	b, err := h.store.BreachByName(c.UserContext(), name)
	if errors.Is(err, store.ErrNotFound) {
		return c.SendStatus(fiber.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return c.JSON(toHIBP(b))
}

// dataClassesV3 lists the data classes the instance's breaches use, sorted.
func (h *Handler) dataClassesV3(c *fiber.Ctx) error {
	bs, err := h.store.Breaches(c.UserContext())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	out := []string{}
	for _, b := range bs {
		for _, dc := range b.DataClasses {
			if !seen[dc] {
				seen[dc] = true
				out = append(out, dc)
			}
		}
	}
	slices.Sort(out)
	return c.JSON(out)
}
