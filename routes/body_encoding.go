package routes

import (
	"bytes"
	"io"

	"github.com/gofiber/fiber/v2"
)

// refuseEncodedBody answers 415 to a request that declares any
// Content-Encoding but identity, on any of its header lines. Fiber and
// fasthttp undo such encodings, stacked ones too, wherever the body or the
// form is read (c.Body, c.FormValue, checkCSRF among them), with no bound on
// what they expand to: a few MB of gzip make gigabytes in memory. pcmt's
// forms and API clients never compress what they send, so nothing is lost.
// It runs before anything reads the body.
func (h *Handler) refuseEncodedBody(c *fiber.Ctx) error {
	req := c.Request()
	if identityOnly(req.Header.PeekAll(fiber.HeaderContentEncoding)) {
		return c.Next()
	}
	// What there is of the body is read raw, without decoding, up to
	// BodyLimit and dropped, so that the client is still reading when the
	// answer comes; the connection closes after it.
	if req.IsBodyStream() {
		_, _ = io.Copy(io.Discard, io.LimitReader(c.Context().RequestBodyStream(), int64(h.cfg.HTTP.BodyLimit)))
	}
	c.Response().SetConnectionClose()
	return fiber.ErrUnsupportedMediaType
}

// identityOnly reports whether every coding the Content-Encoding lines
// list is identity (or none at all).
func identityOnly(lines [][]byte) bool {
	for _, line := range lines {
		for coding := range bytes.SplitSeq(line, []byte(",")) {
			coding = bytes.Trim(coding, " \t")
			if len(coding) > 0 && !bytes.EqualFold(coding, identity) {
				return false
			}
		}
	}
	return true
}

var identity = []byte("identity")
