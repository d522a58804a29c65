package routes

import "github.com/gofiber/fiber/v2"

// access says who may use a route. The role × route test walks the table and
// checks each route against its access.
type access int

const (
	public access = iota // anyone, signed in or not
)

type route struct {
	method string
	path   string
	access access
	handle fiber.Handler
}

// routes is the route table: every URL the app answers, in one place.
func (h *Handler) routes() []route {
	return []route{
		{fiber.MethodGet, "/healthz", public, h.healthz},
		{fiber.MethodGet, "/readyz", public, h.readyz},
		{fiber.MethodGet, "/static/:name", public, h.serveStatic},

		{fiber.MethodGet, "/", public, h.showHome},
		{fiber.MethodGet, "/signin", public, h.showSignIn},
		{fiber.MethodPost, "/signin", public, h.signIn},
	}
}
