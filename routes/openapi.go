package routes

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPI describes /api/v1 for scripts and tools; TestOpenAPIMatchesRoutes
// keeps it true to the route table both ways.
//
//go:embed openapi.json
var openAPI []byte

// showOpenAPI serves the description.
func (h *Handler) showOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(openAPI)
}
