package routes

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"pcmt/apperr"
	"pcmt/config"
)

const localRequestID = "request-id"

var requestCounter atomic.Uint64

func newBootID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// requestID tags the request with an id unique to this process, echoed in
// X-Request-ID and every log line about the request.
func (h *Handler) requestID(c *fiber.Ctx) error {
	id := h.bootID + "-" + strconv.FormatUint(requestCounter.Add(1), 36)
	c.Locals(localRequestID, id)
	c.Set("X-Request-ID", id)
	return c.Next()
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// accessLog logs one line per request. It runs the error handler itself so
// that the line has the final status. The path is never logged, only the
// template of its route (or "none"), and neither is the query string: both
// may hold a search term.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := h.handleError(c, err); herr != nil {
			h.log.Error("error handler failed", "err", herr, "request_id", requestIDOf(c))
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	switch {
	case status == fiber.StatusServiceUnavailable:
		// Busy or not ready yet: the client was told when to retry; no
		// fault to look into.
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	}
	if !h.log.Enabled(c.UserContext(), level) {
		return nil
	}
	h.log.LogAttrs(c.UserContext(), level, "request",
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", c.Method()),
		slog.String("route", h.templates.of(c)),
		slog.Int("status", status),
		slog.Int("bytes", len(c.Response().Body())),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", h.clientIP(c)),
	)
	return nil
}

// recoverPanic turns a panic in a handler into a 500 and logs its stack.
func (h *Handler) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			h.log.Error("panic", "request_id", requestIDOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// permissionsPolicy turns off the powerful browser features pcmt never uses.
const permissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), " +
	"encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), " +
	"magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), " +
	"publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), " +
	"xr-spatial-tracking=(), interest-cohort=()"

// securityHeaders sets the headers every response carries; the error handler
// calls it too, for errors raised before the middleware ran.
func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	h.setSecurityHeaders(c)
	return c.Next()
}

func (h *Handler) setSecurityHeaders(c *fiber.Ctx) {
	hdr := &c.Response().Header
	for _, kv := range h.headers {
		hdr.SetCanonical(kv[0], kv[1])
	}
	if h.hsts != nil && (h.cfg.HTTP.Secure || c.Protocol() == "https") {
		hdr.SetCanonical(hstsHeader, h.hsts)
	}
}

var hstsHeader = []byte("Strict-Transport-Security")

// securityHeaderList is every header setSecurityHeaders sets, in canonical
// form, built once.
func securityHeaderList(cfg *config.Config) [][2][]byte {
	list := [][2]string{
		{"Content-Security-Policy", cfg.HTTP.ContentSecurityPolicy},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Permissions-Policy", permissionsPolicy},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Cross-Origin-Resource-Policy", "same-origin"},
		{"Cache-Control", "no-store"},
	}
	out := make([][2][]byte, len(list))
	for i, kv := range list {
		out[i] = [2][]byte{[]byte(kv[0]), []byte(kv[1])}
	}
	return out
}

// hstsValue is the Strict-Transport-Security value, nil when off.
func hstsValue(cfg *config.Config) []byte {
	if cfg.HTTP.HSTSMaxAge <= 0 {
		return nil
	}
	return []byte("max-age=" + strconv.FormatInt(int64(cfg.HTTP.HSTSMaxAge.Std()/time.Second), 10) + "; includeSubDomains")
}

// rateLimit bounds the requests per minute of one client IP; static files
// and health checks are not counted, and /range has its own budget
// (API.RangeRateLimit): a password manager checks many passwords at once.
func (h *Handler) rateLimit() fiber.Handler {
	pages := h.limiter(h.cfg.HTTP.RateLimit, func(p string) bool {
		return strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/range/") || p == "/healthz" || p == "/readyz"
	})
	ranges := h.limiter(h.cfg.API.RangeRateLimit, func(p string) bool { return !strings.HasPrefix(p, "/range/") })
	return func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/range/") {
			return ranges(c)
		}
		return pages(c)
	}
}

// limiter allows max requests a minute per client IP to the paths skip
// does not exempt; 0 allows any number.
func (h *Handler) limiter(max int, skip func(path string) bool) fiber.Handler {
	if max == 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:          max,
		Expiration:   time.Minute,
		KeyGenerator: h.clientIP,
		Next:         func(c *fiber.Ctx) bool { return skip(c.Path()) },
		LimitReached: func(*fiber.Ctx) error { return apperr.ErrTooManyRequests },
	})
}
