package routes

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
)

// CSRF protection is a signed double submit: a random secret lives in an
// HttpOnly cookie, and forms and htmx requests carry a token derived from it
// with the server key. Every page gets a freshly masked copy of the token, so
// a compressed response never repeats the same secret bytes (BREACH).
const (
	csrfField      = "csrf"
	csrfHeaderName = "X-CSRF-Token"
	csrfSecretLen  = 32
	localCSRF      = "csrf-token"
)

var errCSRF = apperr.New(apperr.Forbidden,
	"The form had expired or did not come from this site. Reload the page and try again.")

type csrfGuard struct {
	macs   sync.Pool // keyed HMAC-SHA256 states, reused: every page makes a token
	cookie string
	secure bool
}

func newCSRFGuard(serverKey []byte, secure bool) *csrfGuard {
	mac := hmac.New(sha256.New, serverKey)
	mac.Write([]byte("pcmt csrf v1"))
	key := mac.Sum(nil)
	g := &csrfGuard{cookie: "pcmt_csrf", secure: secure}
	g.macs.New = func() any { return hmac.New(sha256.New, key) }
	if secure {
		g.cookie = "__Host-pcmt_csrf"
	}
	return g
}

// expected is the unmasked token that belongs to a cookie secret and, once
// signed in, to the session: a token never outlives its session.
func (g *csrfGuard) expected(secret, binding []byte) []byte {
	mac := g.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(secret)
	mac.Write(binding)
	sum := mac.Sum(nil)
	g.macs.Put(mac)
	return sum
}

// secret returns the request's cookie secret, or nil when it has none or a
// malformed one.
func (g *csrfGuard) secret(c *fiber.Ctx) []byte {
	b, err := base64.RawURLEncoding.DecodeString(c.Cookies(g.cookie))
	if err != nil || len(b) != csrfSecretLen {
		return nil
	}
	return b
}

// token returns a masked token for this request, setting the cookie first
// when the browser has none.
func (g *csrfGuard) token(c *fiber.Ctx) string {
	if t, ok := c.Locals(localCSRF).(string); ok {
		return t
	}
	secret := g.secret(c)
	if secret == nil {
		secret = make([]byte, csrfSecretLen)
		_, _ = rand.Read(secret) // crypto/rand.Read never fails on supported platforms
		c.Cookie(&fiber.Cookie{
			Name:     g.cookie,
			Value:    base64.RawURLEncoding.EncodeToString(secret),
			Path:     "/",
			HTTPOnly: true,
			Secure:   g.secure,
			SameSite: fiber.CookieSameSiteLaxMode,
		})
	}
	want := g.expected(secret, sessionBinding(c))
	masked := make([]byte, 2*len(want))
	_, _ = rand.Read(masked[:len(want)])
	subtle.XORBytes(masked[len(want):], masked[:len(want)], want)
	t := base64.RawURLEncoding.EncodeToString(masked)
	c.Locals(localCSRF, t)
	return t
}

// valid reports whether the submitted token matches the cookie.
func (g *csrfGuard) valid(c *fiber.Ctx) bool {
	secret := g.secret(c)
	if secret == nil {
		return false
	}
	sent := c.Get(csrfHeaderName)
	if sent == "" {
		sent = c.FormValue(csrfField)
	}
	masked, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil || len(masked) != 2*sha256.Size {
		return false
	}
	got := make([]byte, sha256.Size)
	subtle.XORBytes(got, masked[:sha256.Size], masked[sha256.Size:])
	return hmac.Equal(got, g.expected(secret, sessionBinding(c)))
}

// checkCSRF refuses every state-changing request without a valid token, and
// every one a browser marks as cross-site, before any handler runs.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return c.Next()
	}
	// API routes authenticate by a token in a header, never by the
	// cookie, so a forged cross-site request has nothing to ride on (the
	// guard of every /api/ route insists on a token: TestAPIRoutesTakeTokens).
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" || !h.csrf.valid(c) {
		return errCSRF
	}
	return c.Next()
}
