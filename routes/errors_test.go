package routes

import (
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
)

func TestErrorPages(t *testing.T) {
	a := newTestApp(t, nil)
	a.allowErrors("msg=panic", `msg="request failed"`, "status=500")
	app := fiber.New(fiber.Config{ErrorHandler: a.h.handleError})
	app.Use(a.h.requestID, a.h.accessLog, a.h.recoverPanic, a.h.securityHeaders)
	app.Get("/boom", func(*fiber.Ctx) error { panic("secret internal detail 1") })
	app.Get("/fail", func(*fiber.Ctx) error { return errors.New("secret internal detail 2") })
	app.Get("/gone", func(*fiber.Ctx) error { return apperr.ErrNotFound })
	app.Get("/nope", func(*fiber.Ctx) error { return apperr.ErrForbidden })
	app.Get("/bad", func(*fiber.Ctx) error { return apperr.New(apperr.Invalid, "The date is not a date.") })
	app.Get("/form", func(*fiber.Ctx) error { return apperr.ErrUnprocessable })

	for _, tc := range []struct {
		path   string
		status int
		shows  string
	}{
		{"/boom", 500, apperr.InternalMessage},
		{"/fail", 500, apperr.InternalMessage},
		{"/gone", 404, apperr.ErrNotFound.Message},
		{"/nope", 403, apperr.ErrForbidden.Message},
		{"/bad", 400, "The date is not a date."},
		{"/form", 422, apperr.ErrUnprocessable.Message},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := do(t, app, httptest.NewRequest("GET", tc.path, nil))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			doc := parseHTML(t, body)
			if got, _ := doc.Find(`[data-testid="error"]`).Attr("data-status"); got != strconv.Itoa(tc.status) {
				t.Fatalf("error page status %q", got)
			}
			if !strings.Contains(body, tc.shows) || strings.Contains(body, "secret internal detail") {
				t.Fatalf("page shows the wrong text:\n%.500s", body)
			}
			if doc.Find("html").Length() != 1 {
				t.Fatal("not a full page")
			}
			checkSecurityHeaders(t, resp)
		})
	}
	for _, detail := range []string{"secret internal detail 1", "secret internal detail 2"} {
		if !strings.Contains(a.log.String(), detail) {
			t.Errorf("the log lacks %q", detail)
		}
	}
	if !strings.Contains(a.log.String(), "stack=") {
		t.Error("the panic's stack was not logged")
	}
}

func TestErrorFragmentUnderHTMX(t *testing.T) {
	a := newTestApp(t, nil)
	req := httptest.NewRequest("GET", "/nowhere", nil)
	req.Header.Set("HX-Request", "true")
	resp, body := a.do(req)
	if resp.StatusCode != 404 || strings.Contains(body, "<html") || !strings.Contains(body, `data-testid="error"`) {
		t.Fatalf("htmx 404: %d %.300s", resp.StatusCode, body)
	}
}

func TestPlainTextErrorsForPrograms(t *testing.T) {
	a := newTestApp(t, nil)
	resp, body := a.get("/static/missing.css")
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || strings.Contains(body, "<html") {
		t.Fatalf("static 404: %d %q %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
