package routes

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/views"
)

// handleError is the one place errors become responses: typed errors get
// their status and message, anything else is logged and shown as a 500
// without its text.
func (h *Handler) handleError(c *fiber.Ctx, err error) error {
	status, message := apperr.Status(err), apperr.Message(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status, message = fe.Code, fiberMessage(fe.Code)
	}
	switch {
	case status == fiber.StatusServiceUnavailable:
		// A busy answer, not a fault: the client is told when to retry.
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(busyRetryAfter))
		h.log.Warn("busy", "request_id", requestIDOf(c), "route", h.templates.of(c), "err", err)
	case status >= 500:
		h.log.Error("request failed", "request_id", requestIDOf(c), "route", h.templates.of(c), "err", err)
	}

	c.Response().ResetBody()
	h.setSecurityHeaders(c)
	title := http.StatusText(status)
	if strings.HasPrefix(c.Path(), "/api/") {
		return apiError(c, status, apiErrorCode(status), message)
	}
	if plainTextPath(c.Path()) {
		c.Status(status)
		return c.SendString(title + ": " + message + "\n")
	}
	if isHTMX(c) {
		return render(c, status, views.ErrorPanel(status, title, message))
	}
	return render(c, status, views.ErrorPage(h.page(c, title), status, title, message))
}

// plainTextPath reports whether errors under this path are for programs, not
// people.
func plainTextPath(p string) bool {
	return strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/range/") || p == "/healthz" || p == "/readyz"
}

func fiberMessage(code int) string {
	switch code {
	case fiber.StatusNotFound:
		return "There is no page at this address. It may have moved, or the link may be mistyped."
	case fiber.StatusMethodNotAllowed:
		return "This address does not take that kind of request."
	case fiber.StatusRequestEntityTooLarge:
		return "The request is larger than this server accepts."
	case fiber.StatusUnsupportedMediaType:
		// Only refuseEncodedBody answers it.
		return "This server does not accept compressed request bodies: send the body without a Content-Encoding."
	case fiber.StatusRequestTimeout:
		return "The request took too long to arrive."
	case fiber.StatusTooManyRequests:
		return apperr.ErrTooManyRequests.Message
	}
	if code >= 500 {
		return apperr.InternalMessage
	}
	return "The request could not be understood."
}

// apiErrorCode names a status for the JSON errors of the API.
func apiErrorCode(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "bad_request"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusMethodNotAllowed:
		return "method_not_allowed"
	case fiber.StatusRequestEntityTooLarge:
		return "too_large"
	case fiber.StatusTooManyRequests:
		return "rate_limited"
	case fiber.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	if status >= 500 {
		return "internal"
	}
	return "error"
}
