package routes

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The app streams request bodies (fiber.Config.StreamRequestBody), so that
// an upload goes to disk and not into memory. Every other route reads its
// body whole, and limitBody holds those to HTTP.BodyLimit.
const (
	uploadPath  = "/admin/breaches/import"
	localUpload = "upload"
	// uploadPreamble bounds what is read of an upload before the session is
	// known: the part headers and the csrf field that come first.
	uploadPreamble = 64 << 10
	maxTokenLen    = 256
)

// uploadBody is the streamed multipart body of an upload, its token part
// already read when the form carried one.
type uploadBody struct {
	// limit caps what may still be read; the handler raises it for an
	// admin once the guard has run.
	limit *io.LimitedReader
	parts *multipart.Reader
}

// limitBody refuses bodies over HTTP.BodyLimit with 413 and hands the rest
// to the handlers as plain bodies; the upload's multipart body alone stays
// a stream. It runs before checkCSRF, which may read the form.
func (h *Handler) limitBody(c *fiber.Ctx) error {
	req := c.Request()
	if !req.IsBodyStream() {
		return c.Next()
	}
	if boundary, ok := uploadBoundary(c); ok {
		return h.startUpload(c, boundary)
	}
	limit := int(h.cfg.HTTP.BodyLimit)
	if req.Header.ContentLength() > limit {
		return bodyTooLarge(c)
	}
	body, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(limit)+1))
	if err != nil {
		c.Response().SetConnectionClose()
		return fiber.ErrBadRequest
	}
	if len(body) > limit {
		return bodyTooLarge(c)
	}
	req.SetBody(body)
	return c.Next()
}

// bodyTooLarge answers 413 and closes the connection: the rest of the body
// is never read.
func bodyTooLarge(c *fiber.Ctx) error {
	c.Response().SetConnectionClose()
	return fiber.ErrRequestEntityTooLarge
}

// uploadBoundary returns the multipart boundary of a POST to the upload
// route.
func uploadBoundary(c *fiber.Ctx) (string, bool) {
	if c.Method() != fiber.MethodPost || c.Path() != uploadPath {
		return "", false
	}
	kind, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || kind != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return "", false
	}
	return params["boundary"], true
}

// startUpload reads an upload up to its csrf field, which the form puts
// first, and passes the token on as the header checkCSRF reads: the token is
// checked in the one place, before any of the file is read. Without a
// token in the header or first in the form, the upload is refused.
func (h *Handler) startUpload(c *fiber.Ctx, boundary string) error {
	limit := &io.LimitedReader{R: c.Context().RequestBodyStream(), N: uploadPreamble}
	up := &uploadBody{limit: limit, parts: multipart.NewReader(limit, boundary)}
	c.Locals(localUpload, up)
	if c.Get(csrfHeaderName) != "" {
		return c.Next()
	}
	part, err := up.parts.NextPart()
	if err != nil || part.FormName() != csrfField || part.FileName() != "" {
		c.Response().SetConnectionClose()
		return errCSRF
	}
	var token bytes.Buffer
	n, err := io.Copy(&token, io.LimitReader(part, maxTokenLen+1))
	if err != nil || n > maxTokenLen {
		c.Response().SetConnectionClose()
		return errCSRF
	}
	c.Request().Header.Set(csrfHeaderName, strings.TrimSpace(token.String()))
	return c.Next()
}
