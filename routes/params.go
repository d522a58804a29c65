package routes

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
)

// pathID reads the :id of a URL — an account, a breach, a watched value,
// an import job — or answers not found: one thing has one address.
func pathID(c *fiber.Ctx) (int64, error) {
	id, ok := canonicalID(c.Params("id"))
	if !ok {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// canonicalID parses s when it is the canonical decimal form of a positive
// int64: no sign, no leading zeros, no spaces, nothing but ASCII digits.
func canonicalID(s string) (int64, bool) {
	if s == "" || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}
