package routes

import (
	"crypto/rand"
	"crypto/sha1"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/config"
	"pcmt/logtest"
	"pcmt/monitor"
	"pcmt/static"
	"pcmt/store/storetest"
)

const testWorkFactor = 10

// testApp is the real app over a fresh database, with its log captured.
type testApp struct {
	t   testing.TB
	app *fiber.App
	h   *Handler
	log *logtest.Buffer
	// deps are what the app was built from.
	deps Deps
}

func testKeys() config.Keys {
	k := config.Keys{CookieAuth: make([]byte, 64), CookieEncr: make([]byte, 32), Audit: make([]byte, 32), Monitor: make([]byte, 32)}
	_, _ = rand.Read(k.CookieAuth)
	_, _ = rand.Read(k.CookieEncr)
	_, _ = rand.Read(k.Audit)
	_, _ = rand.Read(k.Monitor)
	return k
}

func testDeps(t testing.TB, edit func(*config.Config)) (Deps, *logtest.Buffer) {
	t.Helper()
	cfg := config.Default()
	cfg.HTTP.RateLimit = 0
	if edit != nil {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	assets, err := static.New(static.Embedded, "public", false)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() { logs.FailOnErrors(t) })
	// Low scrypt and argon2id costs keep the many sign-ins of the tests
	// fast; production uses account.MinVaultWorkFactor and NewHasher, whose
	// costs account's own tests check.
	keys, st := testKeys(), storetest.New(t)
	matcher, err := monitor.New(st, keys.Monitor, log)
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Config: &cfg, Keys: keys, Store: st, Log: log, Assets: assets, Matcher: matcher,
		Vault: account.NewVault(testWorkFactor), Hasher: account.NewHasherCost(1, 64)}, logs
}

func newTestApp(t testing.TB, edit func(*config.Config)) *testApp {
	t.Helper()
	return newTestAppWith(t, edit, nil)
}

// newTestAppWith is newTestApp with its dependencies changed by deps
// before the app is built (a vault with hooks, a counting hasher).
func newTestAppWith(t testing.TB, edit func(*config.Config), deps func(*Deps)) *testApp {
	t.Helper()
	d, logs := testDeps(t, edit)
	if deps != nil {
		deps(&d)
	}
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, app: app, h: h, log: logs, deps: d}
}

// do sends req through the app and returns the response with its body read.
func (a *testApp) do(req *http.Request) (*http.Response, string) {
	a.t.Helper()
	return do(a.t, a.app, req)
}

func do(t testing.TB, app *fiber.App, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// allowErrors lets ERROR lines containing one of texts pass: the test
// provokes them on purpose.
func (a *testApp) allowErrors(texts ...string) { a.log.AllowErrors(texts...) }

func (a *testApp) get(path string) (*http.Response, string) {
	a.t.Helper()
	return a.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// session is a browser: it keeps cookies between requests.
type session struct {
	app     *testApp
	cookies map[string]*http.Cookie
}

func (a *testApp) session() *session {
	return &session{app: a, cookies: map[string]*http.Cookie{}}
}

func (s *session) do(req *http.Request) (*http.Response, string) {
	s.app.t.Helper()
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	resp, body := s.app.do(req)
	for _, c := range resp.Cookies() {
		s.cookies[c.Name] = c
	}
	return resp, body
}

// page GETs path and returns its status, its document and the CSRF token of
// its meta tag.
func (s *session) page(path string) (int, *goquery.Document, string) {
	s.app.t.Helper()
	resp, body := s.do(httptest.NewRequest(http.MethodGet, path, nil))
	doc := parseHTML(s.app.t, body)
	token, _ := doc.Find(`meta[name="csrf-token"]`).Attr("content")
	return resp.StatusCode, doc, token
}

// postForm posts form fields the way a browser without JavaScript does.
func (s *session) postForm(path string, form url.Values) (*http.Response, string) {
	s.app.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

func parseHTML(t testing.TB, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func sha1Of(s string) []byte { d := sha1.Sum([]byte(s)); return d[:] }

func noDetail(int) string { return "" }
