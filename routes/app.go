// Package routes is the HTTP side of pcmt: the Fiber app, its middleware and
// one file of handlers per resource. routes.go holds the route table.
package routes

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/breach"
	"pcmt/breaches"
	"pcmt/config"
	"pcmt/hibp"
	"pcmt/monitor"
	"pcmt/rangeapi"
	"pcmt/search"
	"pcmt/static"
	"pcmt/store"
	"pcmt/watch"
)

// Deps is what the handlers need.
type Deps struct {
	Config *config.Config
	Keys   config.Keys
	Store  *store.Store
	Log    *slog.Logger
	Assets *static.Assets
	// Matcher digests watched values and finds them in breaches: the one
	// serve's imports and HIBP watch use too, so that every match is made
	// with the same key and clock.
	Matcher *monitor.Matcher
	// Vault keeps the users' unlocked keys; nil makes one with the
	// production work factor.
	Vault *account.Vault
	// Hasher hashes passwords; nil makes one with the production costs.
	Hasher *account.Hasher
	// Imports runs uploaded breach files; nil turns uploads off.
	Imports *breach.Jobs
	// Syncs runs the corpus syncs admins start; nil turns the button off.
	Syncs *breach.SyncJobs
	// HIBP asks Have I Been Pwned: account searches when it has an API key,
	// password checks (range API) in any case. nil searches local data only.
	HIBP *hibp.Client
	// HIBPWatch rechecks a user's watchlist with HIBP when its breach list
	// gained a breach; nil without HIBP.
	HIBPWatch *monitor.HIBPWatch
	// Mirror fills ranges /range was asked for and never stored from the
	// Pwned Passwords range API; nil without HIBP.
	Mirror *breach.Mirror
	// Outbox is woken when a handler queued mail (sign-up codes), so that
	// it goes at once; nil leaves the mail for the outbox's next round.
	Outbox interface{ Kick() }
}

// Handler holds the dependencies every handler method uses.
type Handler struct {
	cfg      *config.Config
	store    *store.Store
	log      *slog.Logger
	assets   *static.Assets
	csrf     *csrfGuard
	cookies  cookieJar
	loginKey []byte // keys the throttle's counts of logins that name no account
	proxies  *proxyList
	vault    *account.Vault
	throttle *account.Throttle
	audit    *store.Auditor
	// accounts makes users and resets passwords by the rules the command
	// line follows too, and keeps the sign-ups waiting for their code.
	accounts *accounts.Service
	// breaches edits and deletes breaches, starts imports and syncs and
	// keeps the HIBP key by the rules the command line follows too.
	breaches *breaches.Service
	bootID   string
	headers  [][2][]byte // security headers of every response
	hsts     []byte
	now      func() time.Time // the clock sessions expire by
	home     prerendered      // the landing page as visitors see it
	// ranges answers /range, the Pwned Passwords range API.
	ranges *rangeapi.Server
	// tokenRate bounds each API token's requests per minute.
	tokenRate *tokenLimiter
	// pendingSignIns are the sign-ins waiting for their second factor.
	pendingSignIns *pendingSignIns
	// imports runs uploaded breach files; nil when uploads are off.
	imports *breach.Jobs
	// syncs runs corpus syncs; nil when the sync button is off.
	syncs *breach.SyncJobs
	// hibp asks Have I Been Pwned; nil when it is not configured.
	hibp *hibp.Client
	// searcher runs account and password searches, for the search page
	// and the APIs alike.
	searcher *search.Searcher
	// watchlist adds, lists and removes watched values by the rules the
	// pages and /api/v1 share, and starts the users' HIBP rechecks.
	watchlist *watch.Service
	// templates are the route table's paths, which the log and the
	// metrics show.
	templates *routeTemplates
	// metrics counts requests for /metrics; nil when it is off.
	metrics *metrics
	// outbox sends queued mail; nil in tests.
	outbox interface{ Kick() }
}

// New builds the Fiber app: settings, middleware and every route.
func New(d Deps) (*fiber.App, error) {
	app, _, err := newApp(d)
	return app, err
}

func newApp(d Deps) (*fiber.App, *Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, nil, err
	}
	cfg := d.Config.HTTP
	app := fiber.New(fiber.Config{
		AppName:               "pcmt",
		DisableStartupMessage: true,
		CaseSensitive:         true,
		ReadTimeout:           cfg.Timeout.Std(),
		WriteTimeout:          cfg.Timeout.Std(),
		IdleTimeout:           cfg.IdleTimeout.Std(),
		BodyLimit:             int(cfg.BodyLimit),
		// Bodies past BodyLimit reach the app as a stream: limitBody
		// refuses them, except an upload, which goes to disk. Multipart
		// forms are not parsed ahead, which would spool any size to disk.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadBufferSize:               16 << 10,
		EnableTrustedProxyCheck:      len(cfg.TrustedProxies) > 0,
		TrustedProxies:               cfg.TrustedProxies,
		ProxyHeader:                  h.proxyHeader(),
		ErrorHandler:                 h.handleError,
	})

	table := h.routes()
	h.templates = newRouteTemplates(table)
	if h.metrics != nil {
		app.Use(h.observeRequests)
	}
	app.Use(h.requestID, h.accessLog, h.recoverPanic, h.securityHeaders, h.rateLimit(), h.refuseEncodedBody, h.limitBody, h.loadSession, h.checkCSRF)
	for _, r := range table {
		app.Add(r.method, r.path, h.guard(r.access), r.handle)
	}
	app.Use(func(*fiber.Ctx) error { return fiber.ErrNotFound })
	return app, h, nil
}

func newHandler(d Deps) (*Handler, error) {
	if d.Config == nil || d.Store == nil || d.Log == nil || d.Assets == nil || d.Matcher == nil {
		return nil, errors.New("routes: missing dependency")
	}
	if len(d.Keys.CookieAuth) == 0 || len(d.Keys.CookieEncr) == 0 || len(d.Keys.Audit) == 0 {
		return nil, errors.New("routes: missing keys")
	}
	vault := d.Vault
	if vault == nil {
		vault = account.NewVault(account.MinVaultWorkFactor)
	}
	proxies, err := parseProxies(d.Config.HTTP.TrustedProxies)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		headers:   securityHeaderList(d.Config),
		now:       time.Now,
		hsts:      hstsValue(d.Config),
		cfg:       d.Config,
		store:     d.Store,
		log:       d.Log,
		assets:    d.Assets,
		csrf:      newCSRFGuard(d.Keys.CookieAuth, d.Config.SecureCookies()),
		cookies:   newCookieJar(d.Config, d.Keys),
		loginKey:  newLoginKey(),
		proxies:   proxies,
		vault:     vault,
		tokenRate: newTokenLimiter(d.Config.API.TokenRateLimit),
		throttle:  account.NewThrottle(nil),
		audit:     d.Store.Auditor(d.Keys.Audit),
		bootID:    newBootID(),
		imports:   d.Imports,
		syncs:     d.Syncs,
		hibp:      d.HIBP,
		searcher:  search.New(d.Store, d.HIBP, d.Log),
		outbox:    d.Outbox,
	}
	// /range reads its clock on every request, so it gets the clock itself
	// rather than the wrapper below: tests that move h.now do not age its
	// kept answers.
	h.ranges, err = rangeapi.New(rangeapi.Deps{Store: d.Store, Mirror: d.Mirror, Log: d.Log, Now: h.now})
	if err != nil {
		return nil, err
	}
	// One clock for every rule, read at each call: tests move h.now.
	clock := func() time.Time { return h.now() }
	h.pendingSignIns = newPendingSignIns(clock)
	// The cookie encryption keys seal the TOTP secrets too: the old key
	// still opens them, and a sign-in seals them anew.
	h.accounts = accounts.New(accounts.Deps{Store: d.Store, AuditKey: d.Keys.Audit, Log: d.Log,
		Hasher: d.Hasher, Vault: vault, Now: clock,
		TOTPBox: account.NewSecretBox(d.Keys.CookieEncr, d.Keys.OldCookieEncr)})
	h.breaches = breaches.New(breaches.Deps{Store: d.Store, Keys: d.Keys, Uploads: d.Imports, Syncs: d.Syncs,
		HIBP: d.HIBP, HIBPKey: d.Config.HIBP.APIKey, Now: clock})
	h.watchlist = watch.New(watch.Deps{Store: d.Store, Matcher: d.Matcher, Vault: vault, HIBP: d.HIBP,
		HIBPWatch: d.HIBPWatch, Log: d.Log, Now: clock})
	if d.Config.Metrics.Enabled {
		h.metrics = newMetrics(d.Store)
	}
	// An API key an admin set in /admin/settings wins over the config's.
	if err := h.breaches.LoadHIBPKey(context.Background()); err != nil {
		return nil, err
	}
	return h, nil
}

// newLoginKey is a random key of this process for the throttle's keys of
// unknown logins.
func newLoginKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails on supported platforms
	return k
}

func (h *Handler) proxyHeader() string {
	if len(h.cfg.HTTP.TrustedProxies) == 0 {
		return ""
	}
	return h.cfg.HTTP.ProxyHeader
}
