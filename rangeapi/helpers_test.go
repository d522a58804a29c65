package rangeapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pcmt/breach"
	"pcmt/logtest"
	"pcmt/store"
	"pcmt/store/storetest"
)

// testServer is a Server over a fresh database, behind a Fiber app that
// routes /range/:prefix to it as the route table does. Who may call it and
// the middleware every request passes are the tests of routes/.
type testServer struct {
	t   testing.TB
	app *fiber.App
	s   *Server
	st  *store.Store
	log *logtest.Buffer
}

// newTestServer builds a testServer; mirror, when not nil, makes the
// read-through mirror over its database (nil is a server without HIBP).
func newTestServer(t testing.TB, mirror func(*store.Store) *breach.Mirror) *testServer {
	t.Helper()
	st := storetest.New(t)
	logs := &logtest.Buffer{}
	d := Deps{Store: st, Log: slog.New(slog.NewTextHandler(logs, nil))}
	if mirror != nil {
		d.Mirror = mirror(st)
	}
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, CaseSensitive: true})
	app.Get("/range/:prefix", s.ShowRange)
	return &testServer{t: t, app: app, s: s, st: st, log: logs}
}

// do sends req through the app and returns the response with its body read.
func (a *testServer) do(req *http.Request) (*http.Response, string) {
	a.t.Helper()
	resp, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp, string(body)
}

func (a *testServer) get(path string) (*http.Response, string) {
	a.t.Helper()
	return a.do(httptest.NewRequest(http.MethodGet, path, nil))
}
