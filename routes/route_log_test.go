package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestRouteTemplates(t *testing.T) {
	a := newTestApp(t, nil)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/", "/"},
		{"GET", "/signin", "/signin"},
		{"GET", "/signin/", "/signin"},
		{"HEAD", "/signin", noRoute},
		{"GET", "/signout", noRoute},
		{"GET", "/admin/breaches/import", "/admin/breaches/import"},
		{"GET", "/admin/breaches/12", "/admin/breaches/:id"},
		{"GET", "/admin/breaches/jobs/delete", "/admin/breaches/jobs/:id"},
		{"POST", "/admin/breaches/jobs/delete", "/admin/breaches/:id/delete"},
		{"GET", "/api/v3/breachedaccount/a%40b.example", "/api/v3/breachedaccount/:account"},
		{"GET", "/api/v3/breachedaccount/", noRoute},
		{"GET", "/api/v3/breachedaccount/a/b", noRoute},
		{"GET", "/api/v3/breachedacount/someone", noRoute},
		{"GET", "/Signin", noRoute},
		{"GET", "//signin", noRoute},
		{"GET", "/someone@example.org", noRoute},
	} {
		if got := a.h.templates.match(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestAccessLogShowsRoutes: requests a middleware answers (CSRF, 415)
// are logged under their route too, and one that matches no route under
// "none", never its path.
func TestAccessLogShowsRoutes(t *testing.T) {
	a := newTestApp(t, nil)
	req := httptest.NewRequest(http.MethodPost, "/watchlist/secret-one/delete", strings.NewReader("q=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a.do(req)
	req = httptest.NewRequest(http.MethodPost, "/api/v1/watchlist", strings.NewReader("secret-two"))
	req.Header.Set("Content-Encoding", "gzip")
	a.do(req)
	a.get("/secret-three@example.org")
	a.get("/breaches/secret-four")
	log := a.log.String()
	for _, want := range []string{"route=/watchlist/:id/delete status=403", "route=/api/v1/watchlist status=415",
		"route=none status=404", "route=/breaches/:id status=303"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "secret") {
		t.Errorf("the log holds a path:\n%s", log)
	}
}

// FuzzRouteTemplate holds the log's route matching against Fiber's own
// routing of the same table: for any method and path, the template logged
// is that of the route Fiber runs, or "none" when it runs none.
func FuzzRouteTemplate(f *testing.F) {
	for _, s := range []string{"/", "/signin", "/signin//", "/admin/breaches/import", "/admin/breaches/1/delete",
		"/api/v3/breachedaccount/a%40b", "/api/v3/breach/", "/static/app.css", "/x/../signin", "//signin", "/range/ABCDE?x=1"} {
		f.Add(false, s)
		f.Add(true, s)
	}
	a := newTestApp(f, nil)
	app := fiber.New(fiber.Config{CaseSensitive: true})
	for _, e := range a.h.templates.entries {
		app.Add(e.method, e.path, func(c *fiber.Ctx) error { return c.SendString(c.Route().Path) })
	}
	app.Use(func(c *fiber.Ctx) error { return c.SendString(noRoute) })
	f.Fuzz(func(t *testing.T, post bool, path string) {
		u, err := url.ParseRequestURI(path)
		if err != nil || u.Host != "" || !strings.HasPrefix(path, "/") {
			return
		}
		method := fiber.MethodGet
		if post {
			method = fiber.MethodPost
		}
		var req fasthttp.Request
		req.Header.SetMethod(method)
		req.SetRequestURI(path)
		fctx := &fasthttp.RequestCtx{}
		fctx.Init(&req, nil, nil)
		app.Handler()(fctx)
		c := app.AcquireCtx(fctx)
		defer app.ReleaseCtx(c)
		if want, got := string(fctx.Response.Body()), a.h.templates.of(c); got != want {
			t.Fatalf("%s %q (Fiber sees %q): logged as %q, Fiber runs %q", method, path, c.Path(), got, want)
		}
	})
}
