package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestSignInPostNeedsCSRF(t *testing.T) {
	a := newTestApp(t, nil)
	s := a.session()
	_, doc, token := s.page("/signin")
	if token == "" {
		t.Fatal("no <meta name=csrf-token>")
	}
	field, ok := doc.Find(`form input[name="csrf"]`).Attr("value")
	if !ok || field == "" {
		t.Fatal("the sign-in form has no hidden csrf field")
	}
	creds := url.Values{"username": {"alice"}, "password": {"correct horse"}}

	form := func(token string) url.Values {
		v := url.Values{}
		for k, vs := range creds {
			v[k] = vs
		}
		if token != "" {
			v.Set("csrf", token)
		}
		return v
	}
	if resp, _ := s.postForm("/signin", form("")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := s.postForm("/signin", form(strings.Repeat("A", len(field)))); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := s.postForm("/signin", form(field)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("form token: %d, want 422 (wrong credentials)", resp.StatusCode)
	}

	// htmx sends the token of the meta tag as a header.
	req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(creds.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	if resp, _ := s.do(req); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("header token: %d, want 422", resp.StatusCode)
	}

	// A token is worthless with another browser's cookie.
	other := a.session()
	other.page("/signin")
	if resp, _ := other.postForm("/signin", form(field)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token of another cookie: %d, want 403", resp.StatusCode)
	}
	// And a cookie-less request is refused even with a token.
	if resp, _ := a.session().postForm("/signin", form(field)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token without cookie: %d, want 403", resp.StatusCode)
	}
}

func TestTokensAreMaskedPerPage(t *testing.T) {
	a := newTestApp(t, nil)
	s := a.session()
	_, _, one := s.page("/signin")
	_, _, two := s.page("/signin")
	if one == two {
		t.Fatal("two pages got the same token bytes (BREACH)")
	}
	if !a.h.csrf.valid(ctxWith(t, a, s, one)) || !a.h.csrf.valid(ctxWith(t, a, s, two)) {
		t.Fatal("a masked token of this browser is not accepted")
	}
}

// ctxWith builds a POST context carrying the session's cookies and token.
func ctxWith(t *testing.T, a *testApp, s *session, token string) *fiber.Ctx {
	t.Helper()
	c := a.app.AcquireCtx(newRequestCtx(t, "POST", "/signin", "127.0.0.1:1234"))
	for _, ck := range s.cookies {
		c.Request().Header.SetCookie(ck.Name, ck.Value)
	}
	c.Request().Header.Set(csrfHeaderName, token)
	return c
}

// TestRefusedPostChangesNothing puts the CSRF check in front of a handler
// that counts its calls: refused requests never reach it.
func TestRefusedPostChangesNothing(t *testing.T) {
	a := newTestApp(t, nil)
	calls := 0
	app := fiber.New(fiber.Config{ErrorHandler: a.h.handleError})
	app.Use(a.h.checkCSRF)
	app.Get("/form", func(c *fiber.Ctx) error { return c.SendString(a.h.csrf.token(c)) })
	app.Post("/change", func(c *fiber.Ctx) error { calls++; return c.SendStatus(http.StatusNoContent) })

	get := httptest.NewRequest("GET", "/form", nil)
	resp, token := do(t, app, get)
	cookie := resp.Cookies()[0]

	post := func(token string, site string) int {
		req := httptest.NewRequest("POST", "/change", nil)
		req.AddCookie(cookie)
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		resp, _ := do(t, app, req)
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, token, site string
	}{
		{"missing token", "", ""},
		{"garbage token", "not-a-token", ""},
		{"cross-site with a valid token", token, "cross-site"},
	} {
		if got := post(tc.token, tc.site); got != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, got)
		}
	}
	if calls != 0 {
		t.Fatalf("the handler ran %d times for refused requests", calls)
	}
	if got := post(token, "same-origin"); got != http.StatusNoContent || calls != 1 {
		t.Fatalf("valid token: status %d, calls %d", got, calls)
	}
}
