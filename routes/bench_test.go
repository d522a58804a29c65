package routes_test

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pcmt/config"
	"pcmt/monitor"
	"pcmt/routes"
	"pcmt/static"
	"pcmt/store"
	"pcmt/store/storetest"
)

// The benchmarks drive the real app in memory through its fasthttp handler,
// so ns/op and allocs/op are those of pcmt's own code: no sockets, no
// kernel. bench/run.sh measures the same pages over loopback.

// benchApp builds the app as pcmt serve does, with the rate limits off and
// the log discarded at the given level; seed fills its database first.
func benchApp(b *testing.B, level slog.Level, seed ...func(*store.Store)) (fasthttp.RequestHandler, *static.Assets) {
	b.Helper()
	cfg := config.Default()
	cfg.HTTP.RateLimit = 0
	cfg.API.RangeRateLimit = 0
	cfg.Database.Path = filepath.Join(b.TempDir(), "pcmt.db") // the keys are made beside it
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		b.Fatal(err)
	}
	assets, err := static.New(static.Embedded, "public", false)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	st := storetest.New(b)
	for _, f := range seed {
		f(st)
	}
	matcher, err := monitor.New(st, keys.Monitor, log)
	if err != nil {
		b.Fatal(err)
	}
	app, err := routes.New(routes.Deps{
		Config: &cfg, Keys: keys, Store: st, Log: log, Assets: assets, Matcher: matcher,
	})
	if err != nil {
		b.Fatal(err)
	}
	return app.Handler(), assets
}

// benchGet serves GET path with the given headers b.N times, as the
// fasthttp server would: a fresh response and no user values per request.
func benchGet(b *testing.B, handler fasthttp.RequestHandler, path string, headers ...string) {
	b.Helper()
	var req fasthttp.Request
	req.Header.SetMethod(fiber.MethodGet)
	req.SetRequestURI(path)
	req.Header.SetHost("127.0.0.1")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)

	handler(&ctx)
	if code := ctx.Response.StatusCode(); code != fiber.StatusOK {
		b.Fatalf("GET %s: status %d, want 200", path, code)
	}
	b.SetBytes(int64(len(ctx.Response.Body())))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ctx.Response.Reset()
		ctx.ResetUserValues()
		handler(&ctx)
	}
}

// BenchmarkLandingPage renders / for a first visit (a CSRF cookie is made),
// for a returning browser that sends its cookie, and with the info-level
// access log a default install writes.
func BenchmarkLandingPage(b *testing.B) {
	b.Run("no-cookie", func(b *testing.B) {
		h, _ := benchApp(b, slog.LevelWarn)
		benchGet(b, h, "/")
	})
	b.Run("csrf-cookie", func(b *testing.B) {
		h, _ := benchApp(b, slog.LevelWarn)
		benchGet(b, h, "/", "Cookie", "pcmt_csrf="+csrfCookie(b, h))
	})
	b.Run("info-log", func(b *testing.B) {
		h, _ := benchApp(b, slog.LevelInfo)
		benchGet(b, h, "/")
	})
}

// BenchmarkStaticAsset serves app.css by its hashed URL, as the landing page
// links it, plain and gzipped.
func BenchmarkStaticAsset(b *testing.B) {
	h, assets := benchApp(b, slog.LevelWarn)
	url := assets.Current().URL("app.css")
	b.Run("identity", func(b *testing.B) { benchGet(b, h, url) })
	b.Run("gzip", func(b *testing.B) { benchGet(b, h, url, "Accept-Encoding", "gzip") })
}

// BenchmarkBareFiber is the baseline: a Fiber app with one handler that
// answers "hello", like bench/hello.
func BenchmarkBareFiber(b *testing.B) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("hello") })
	benchGet(b, app.Handler(), "/")
}

// csrfCookie is the value of the CSRF cookie the landing page sets.
func csrfCookie(b *testing.B, handler fasthttp.RequestHandler) string {
	b.Helper()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.SetHost("127.0.0.1")
	handler(&ctx)
	var value string
	ctx.Response.Header.VisitAllCookie(func(key, raw []byte) {
		var c fasthttp.Cookie
		if c.ParseBytes(raw) == nil && strings.HasSuffix(string(key), "pcmt_csrf") {
			value = string(c.Value())
		}
	})
	if value == "" {
		b.Fatal("the landing page set no CSRF cookie")
	}
	return value
}
