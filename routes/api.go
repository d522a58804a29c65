package routes

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// orEmpty makes a nil list an empty one, which JSON writes as [] where
// clients expect a list.
func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// apiError answers an API request with a JSON error.
//
// Under /api/v3/ errors take HIBP's shape instead, {"statusCode", "message"},
// for the clients of that API.
func apiError(c *fiber.Ctx, status int, code, message string) error {
	if strings.HasPrefix(c.Path(), "/api/v3/") {
		return c.Status(status).JSON(fiber.Map{"statusCode": status, "message": message})
	}
	return c.Status(status).JSON(apiErrorBody{Error: apiErrorDetail{Code: code, Message: message}})
}
