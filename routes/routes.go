package routes

import "github.com/gofiber/fiber/v2"

// access says who may use a route. The role × route test walks the table and
// checks every route against its access.
type access int

const (
	public    access = iota // anyone, signed in or not
	guest                   // signed-out browsers; signed-in ones are sent home
	pending                 // any signed-in user, even one who must change their password first
	member                  // any signed-in user
	userRole                // signed-in users without the admin role: admins never see tracked data
	adminRole               // admins

	// API clients: a personal API token decides, never a session cookie
	// (see tokenAccess in bearer.go). The user… levels refuse admins'
	// tokens, as userRole refuses their sessions: admins keep no watchlist
	// and never search, since what users look for is theirs alone.
	apiToken           // any working token in Authorization: Bearer
	userAPISearch      // a user's token with the search scope
	userWatchlistRead  // a user's token with the watchlist:read scope
	userWatchlistWrite // a user's token with the watchlist:write scope
	userHIBPSearch     // a user's token with the search scope, in the hibp-api-key header (HIBP-compatible clients)
	hibpToken          // any working token, in the hibp-api-key header

	metricsScrape // a scraper with [Metrics] Token as its bearer token
)

type route struct {
	method string
	path   string
	access access
	handle fiber.Handler
}

// routes is the route table: every URL the app answers, in one place.
func (h *Handler) routes() []route {
	return []route{
		{fiber.MethodGet, "/healthz", public, h.healthz},
		{fiber.MethodGet, "/readyz", public, h.readyz},
		{fiber.MethodGet, "/metrics", metricsScrape, h.showMetrics},
		{fiber.MethodGet, "/static/:name", public, h.serveStatic},
		{fiber.MethodGet, "/", public, h.showHome},
		{fiber.MethodGet, "/range/:prefix", h.rangeAccess(), h.ranges.ShowRange},

		{fiber.MethodGet, "/signin", guest, h.showSignIn},
		{fiber.MethodPost, "/signin", guest, h.signIn},
		{fiber.MethodGet, "/signin/2fa", guest, h.showSignInTwoFactor},
		{fiber.MethodPost, "/signin/2fa", guest, h.signInTwoFactor},
		{fiber.MethodGet, "/signup", guest, h.showSignUp},
		{fiber.MethodPost, "/signup", guest, h.signUp},
		{fiber.MethodGet, "/signup/code", guest, h.showSignUpCode},
		{fiber.MethodPost, "/signup/code", guest, h.signUpWithCode},
		{fiber.MethodPost, "/signout", pending, h.signOut},

		{fiber.MethodGet, "/dashboard", userRole, h.showDashboard},
		{fiber.MethodPost, "/dashboard/seen", userRole, h.markAlertsSeen},
		{fiber.MethodGet, "/watchlist", userRole, h.showWatchlist},
		{fiber.MethodPost, "/watchlist", userRole, h.saveWatchItem},
		{fiber.MethodPost, "/watchlist/email-alerts", userRole, h.saveEmailAlerts},
		{fiber.MethodPost, "/watchlist/:id/delete", userRole, h.deleteWatchItem},

		{fiber.MethodGet, "/search", userRole, h.showSearch},
		{fiber.MethodPost, "/search", userRole, h.search},
		{fiber.MethodGet, "/search/range", userRole, h.showPasswordRange},

		{fiber.MethodGet, "/breaches", member, h.showBreaches},
		{fiber.MethodGet, "/breaches/:id", member, h.showBreach},

		{fiber.MethodGet, "/settings", member, h.showSettings},
		{fiber.MethodGet, "/settings/password", pending, h.showPassword},
		{fiber.MethodPost, "/settings/password", pending, h.changePassword},
		{fiber.MethodGet, "/settings/sessions", member, h.showSessions},
		{fiber.MethodPost, "/settings/sessions/revoke", member, h.revokeSession},
		{fiber.MethodPost, "/settings/sessions/revoke-others", member, h.revokeOtherSessions},
		{fiber.MethodGet, "/settings/activity", member, h.showActivity},
		{fiber.MethodGet, "/settings/2fa", member, h.showTwoFactor},
		{fiber.MethodPost, "/settings/2fa/setup", member, h.setupTwoFactor},
		{fiber.MethodPost, "/settings/2fa/enable", member, h.enableTwoFactor},
		{fiber.MethodPost, "/settings/2fa/disable", member, h.disableTwoFactor},
		{fiber.MethodPost, "/settings/2fa/recovery", member, h.regenerateRecoveryCodes},
		{fiber.MethodGet, "/settings/tokens", member, h.showTokens},
		{fiber.MethodPost, "/settings/tokens", member, h.createToken},
		{fiber.MethodPost, "/settings/tokens/:id/revoke", member, h.revokeToken},

		{fiber.MethodGet, "/admin/users", adminRole, h.showUsers},
		{fiber.MethodPost, "/admin/users", adminRole, h.createUser},
		{fiber.MethodGet, "/admin/users/new", adminRole, h.showNewUser},
		{fiber.MethodGet, "/admin/users/:id", adminRole, h.showUser},
		{fiber.MethodPost, "/admin/users/:id/email", adminRole, h.changeUserEmail},
		{fiber.MethodPost, "/admin/users/:id/role", adminRole, h.changeUserRole},
		{fiber.MethodPost, "/admin/users/:id/disable", adminRole, h.disableUser},
		{fiber.MethodPost, "/admin/users/:id/enable", adminRole, h.enableUser},
		{fiber.MethodPost, "/admin/users/:id/reset", adminRole, h.resetUserPassword},
		{fiber.MethodPost, "/admin/users/:id/delete", adminRole, h.deleteUser},
		{fiber.MethodGet, "/admin/audit", adminRole, h.showAudit},
		{fiber.MethodGet, "/admin/settings", adminRole, h.showAdminSettings},
		{fiber.MethodPost, "/admin/settings/hibp", adminRole, h.saveHIBPKey},
		{fiber.MethodPost, "/admin/settings/hibp/delete", adminRole, h.deleteHIBPKey},
		{fiber.MethodPost, "/admin/settings/hibp/test", adminRole, h.testHIBPKey},

		{fiber.MethodGet, "/admin/breaches", adminRole, h.showAdminBreaches},
		{fiber.MethodGet, "/admin/breaches/import", adminRole, h.showImport},
		{fiber.MethodPost, "/admin/breaches/import", adminRole, h.importUpload},
		{fiber.MethodPost, "/admin/breaches/sync", adminRole, h.startSync},
		{fiber.MethodGet, "/admin/breaches/jobs/:id", adminRole, h.showImportJob},
		{fiber.MethodGet, "/admin/breaches/:id", adminRole, h.showAdminBreach},
		{fiber.MethodPost, "/admin/breaches/:id", adminRole, h.saveBreach},
		{fiber.MethodPost, "/admin/breaches/:id/delete", adminRole, h.deleteBreach},

		{fiber.MethodGet, "/api/v1/openapi.json", public, h.showOpenAPI},
		{fiber.MethodGet, "/api/v1/me", apiToken, h.showTokenOwner},
		{fiber.MethodGet, "/api/v1/search", userAPISearch, h.apiSearch},
		{fiber.MethodGet, "/api/v1/watchlist", userWatchlistRead, h.apiWatchlist},
		{fiber.MethodPost, "/api/v1/watchlist", userWatchlistWrite, h.apiAddWatch},
		{fiber.MethodDelete, "/api/v1/watchlist/:id", userWatchlistWrite, h.apiDeleteWatch},

		{fiber.MethodGet, "/api/v3/breachedaccount/:account", userHIBPSearch, h.breachedAccountV3},
		{fiber.MethodGet, "/api/v3/breaches", hibpToken, h.breachesV3},
		{fiber.MethodGet, "/api/v3/breach/:name", hibpToken, h.breachV3},
		{fiber.MethodGet, "/api/v3/dataclasses", hibpToken, h.dataClassesV3},
	}
}
