package routes

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

// tokenExpiries are the lifetimes a token may have, in days: every token
// expires.
var tokenExpiries = [][2]string{{"7", "7 days"}, {"30", "30 days"}, {"90", "90 days"}, {"365", "1 year"}}

var tokenScopes = []views.TokenScope{
	{Value: store.ScopeSearch, Label: store.ScopeSearch, Hint: "Search breaches for e-mail addresses, usernames and passwords."},
	{Value: store.ScopeWatchlistRead, Label: store.ScopeWatchlistRead, Hint: "Read your watchlist and its exposures."},
	{Value: store.ScopeWatchlistWrite, Label: store.ScopeWatchlistWrite, Hint: "Add to and remove from your watchlist."},
}

// tokenForm is what the new-token form posts.
type tokenForm struct {
	Name   string
	Scopes []string
	Expiry string
}

func parseTokenForm(c *fiber.Ctx) tokenForm {
	f := tokenForm{Name: strings.TrimSpace(c.FormValue("name")), Expiry: c.FormValue("expiry")}
	for _, v := range c.Request().PostArgs().PeekMulti("scope") {
		f.Scopes = append(f.Scopes, string(v)) // string() copies: fasthttp reuses the buffer
	}
	return f
}

func (f tokenForm) validate() views.FieldErrors {
	errs := views.FieldErrors{}
	if n := utf8.RuneCountInString(f.Name); n == 0 || n > 64 || !printable(f.Name) {
		errs["name"] = "Name the token in 1 to 64 printable characters."
	}
	known := store.Scopes()
	if len(f.Scopes) == 0 || slices.ContainsFunc(f.Scopes, func(s string) bool { return !slices.Contains(known, s) }) {
		errs["scope"] = "Choose at least one of the scopes below."
	}
	if f.days() == 0 {
		errs["expiry"] = "Choose one of the lifetimes offered."
	}
	return errs
}

// days is the chosen lifetime, 0 when it is not one offered.
func (f tokenForm) days() int {
	for _, e := range tokenExpiries {
		if e[0] == f.Expiry {
			n, _ := strconv.Atoi(e[0])
			return n
		}
	}
	return 0
}

// renderTokens renders the tokens page with the user's current list.
func (h *Handler) renderTokens(c *fiber.Ctx, status int, form views.TokenForm, created *views.NewTokenShown) error {
	list, err := h.store.Tokens(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	now := h.now()
	page := views.TokensPage{Form: form, Scopes: tokenScopes, Expiries: tokenExpiries, Created: created}
	live := 0
	for _, t := range list {
		row := views.TokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scopes: t.Scopes,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsed: t.LastUsedAt, State: "active"}
		switch {
		case t.Revoked():
			row.State = "revoked"
		case t.Expired(now):
			row.State = "expired"
		default:
			live++
		}
		page.Rows = append(page.Rows, row)
	}
	page.AtLimit = live >= store.MaxLiveTokens
	// A new token is in this response: no cache may keep it. (Every
	// response says so already; this one must, whatever the defaults.)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, views.Tokens(h.page(c, "API tokens"), page))
}

// showTokens lists the user's API tokens.
func (h *Handler) showTokens(c *fiber.Ctx) error {
	return h.renderTokens(c, fiber.StatusOK, views.TokenForm{Expiry: "30", Scopes: []string{store.ScopeSearch}}, nil)
}

// createToken makes a token and shows it, once, in this response: so the
// answer is a page, not a redirect, and only the token's digest is kept.
func (h *Handler) createToken(c *fiber.Ctx) error {
	user := currentUser(c)
	f := parseTokenForm(c)
	form := views.TokenForm{Name: f.Name, Scopes: f.Scopes, Expiry: f.Expiry, Errors: f.validate()}
	if len(form.Errors) > 0 {
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form, nil)
	}
	plain, digest, shown := newAPIToken()
	tok, err := h.accounts.CreateToken(c.UserContext(), h.self(c, user.ID), accounts.NewToken{
		Name: f.Name, Digest: digest, Prefix: shown, Scopes: f.Scopes,
		Lifetime: time.Duration(f.days()) * 24 * time.Hour,
	})
	if errors.Is(err, store.ErrTokenLimit) {
		form.Errors["form"] = store.ErrTokenLimit.Message
		return h.renderTokens(c, fiber.StatusUnprocessableEntity, form, nil)
	}
	if err != nil {
		return err
	}
	return h.renderTokens(c, fiber.StatusOK, views.TokenForm{Expiry: "30", Scopes: []string{store.ScopeSearch}},
		&views.NewTokenShown{Name: tok.Name, Token: plain})
}

// revokeToken revokes one of the user's tokens; another user's token does
// not exist for them (404).
func (h *Handler) revokeToken(c *fiber.Ctx) error {
	user := currentUser(c)
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.accounts.RevokeToken(c.UserContext(), h.self(c, user.ID), id); err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "The token is revoked: it no longer works.")
	return redirect(c, "/settings/tokens")
}

// tokenOwner is what GET /api/v1/me answers: who a token acts for and what
// it may do, for scripts checking their token.
type tokenOwner struct {
	Username  string    `json:"username"`
	Token     string    `json:"token"` // the shown part only: "pcmt_abcd1234…"
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
}

// showTokenOwner describes the request's token.
func (h *Handler) showTokenOwner(c *fiber.Ctx) error {
	u, t := currentUser(c), currentToken(c)
	return c.JSON(tokenOwner{Username: u.Username, Token: "pcmt_" + t.Prefix + "…", Name: t.Name,
		Scopes: t.Scopes, ExpiresAt: t.ExpiresAt.UTC()})
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
