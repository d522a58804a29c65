package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/accounts"
	"pcmt/breaches"
	"pcmt/store"
)

// actor is the admin of the request, as the breaches rules log them.
func (h *Handler) actor(c *fiber.Ctx) breaches.Actor {
	return breaches.Actor{ID: currentUser(c).ID, IP: h.clientIP(c)}
}

// change is the admin's action of the request on u.
func (h *Handler) change(c *fiber.Ctx, u *store.User) accounts.Change {
	return accounts.Change{User: u, ActorID: currentUser(c).ID, IP: h.clientIP(c)}
}

// self is the signed-in user userID acting on their own account from this
// request's address.
func (h *Handler) self(c *fiber.Ctx, userID int64) accounts.Self {
	return accounts.Self{UserID: userID, IP: h.clientIP(c)}
}
