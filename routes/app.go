// Package routes is the HTTP side of pcmt: the Fiber app, its middleware and
// one file of handlers per resource. routes.go holds the route table.
package routes

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"pcmt/config"
	"pcmt/static"
	"pcmt/store"
)

// Deps is what the handlers need.
type Deps struct {
	Config *config.Config
	Keys   config.Keys
	Store  *store.Store
	Log    *slog.Logger
	Assets *static.Assets
}

// Handler holds the dependencies every handler method uses.
type Handler struct {
	cfg     *config.Config
	store   *store.Store
	log     *slog.Logger
	assets  *static.Assets
	csrf    *csrfGuard
	proxies *proxyList
	bootID  string
}

// New builds the Fiber app: settings, middleware and every route.
func New(d Deps) (*fiber.App, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, err
	}
	cfg := d.Config.HTTP
	app := fiber.New(fiber.Config{
		AppName:                 "pcmt",
		DisableStartupMessage:   true,
		CaseSensitive:           true,
		ReadTimeout:             cfg.Timeout.Std(),
		WriteTimeout:            cfg.Timeout.Std(),
		IdleTimeout:             cfg.IdleTimeout.Std(),
		BodyLimit:               int(cfg.BodyLimit),
		ReadBufferSize:          16 << 10,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             h.proxyHeader(),
		ErrorHandler:            h.handleError,
	})

	app.Use(h.requestID, h.accessLog, h.recoverPanic, h.securityHeaders, h.rateLimit(), h.checkCSRF)
	for _, r := range h.routes() {
		app.Add(r.method, r.path, r.handle)
	}
	app.Use(func(*fiber.Ctx) error { return fiber.ErrNotFound })
	return app, nil
}

func newHandler(d Deps) (*Handler, error) {
	if d.Config == nil || d.Store == nil || d.Log == nil || d.Assets == nil {
		return nil, errors.New("routes: missing dependency")
	}
	if len(d.Keys.CookieAuth) == 0 {
		return nil, errors.New("routes: missing cookie keys")
	}
	proxies, err := parseProxies(d.Config.HTTP.TrustedProxies)
	if err != nil {
		return nil, err
	}
	return &Handler{
		cfg:     d.Config,
		store:   d.Store,
		log:     d.Log,
		assets:  d.Assets,
		csrf:    newCSRFGuard(d.Keys.CookieAuth, d.Config.SecureCookies()),
		proxies: proxies,
		bootID:  newBootID(),
	}, nil
}

func (h *Handler) proxyHeader() string {
	if len(h.cfg.HTTP.TrustedProxies) == 0 {
		return ""
	}
	return h.cfg.HTTP.ProxyHeader
}
