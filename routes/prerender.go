package routes

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// prerendered is a page that is the same for every visitor but for its CSRF
// token: rendered once, with a marker where the token goes, and then written
// per request as the saved pieces around a fresh token. The landing page is
// the most requested page; this makes it nearly as cheap as a static file
// while every response still carries its own masked token.
type prerendered struct {
	once   sync.Once
	pieces [][]byte
	err    error
}

// write sends the page, rendering it on first use with component(p), where
// p is a visitor's page with the marker as its token.
func (pr *prerendered) write(c *fiber.Ctx, h *Handler, title string, component func(views.Page) templ.Component) error {
	pr.once.Do(func() {
		marker := newMarker()
		var buf bytes.Buffer
		p := views.Page{Title: title, Path: c.Path(), CSRF: marker, Asset: h.assets.Current().URL}
		if err := component(p).Render(context.Background(), &buf); err != nil {
			pr.err = err
			return
		}
		pr.pieces = bytes.Split(buf.Bytes(), []byte(marker))
		if len(pr.pieces) < 2 {
			pr.err = errors.New("routes: prerendered page has no place for the CSRF token")
		}
	})
	if pr.err != nil {
		return pr.err
	}
	token := []byte(h.csrf.token(c))
	c.Status(fiber.StatusOK)
	c.Type("html", "utf-8")
	w := c.Response().BodyWriter()
	for i, piece := range pr.pieces {
		if i > 0 {
			_, _ = w.Write(token) // fasthttp's body buffer never fails a write
		}
		_, _ = w.Write(piece)
	}
	return nil
}

// newMarker is a random marker made only of characters no escaping changes.
func newMarker() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "pcmtcsrfmarker" + hex.EncodeToString(b)
}

// canPrerender reports whether this request sees the page every visitor
// sees: signed out, no one-time message waiting, assets not read live.
func (h *Handler) canPrerender(c *fiber.Ctx) bool {
	return currentUser(c) == nil && !h.cfg.LiveMode && c.Cookies(flashCookie) == "" &&
		len(h.pendingFlashes(c)) == 0
}
