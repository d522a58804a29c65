package routes

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// Personal API tokens are "pcmt_" and 32 random bytes in lower-case
// base32: opaque, looked up in the database on every request (so a
// revocation applies to the next one), stored only as the SHA-256 of the
// whole string. The prefix makes leaked tokens easy to spot in code and logs.
const (
	tokenPrefix    = "pcmt_"
	tokenRandomLen = 32
	tokenShownLen  = 8 // characters after the prefix a user sees to recognise a token
	localToken     = "token"
)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

var tokenLen = len(tokenPrefix) + tokenEncoding.EncodedLen(tokenRandomLen)

// newAPIToken returns a fresh token, the digest to store and the part to
// show.
func newAPIToken() (plain string, digest []byte, shown string) {
	b := make([]byte, tokenRandomLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	plain = tokenPrefix + tokenEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(plain))
	return plain, sum[:], plain[len(tokenPrefix) : len(tokenPrefix)+tokenShownLen]
}

// tokenDigest is the digest of a well-formed token; false for anything
// else, which is refused without a database read.
func tokenDigest(plain string) ([]byte, bool) {
	if len(plain) != tokenLen || !strings.HasPrefix(plain, tokenPrefix) {
		return nil, false
	}
	// Checked by hand: the base32 decoder skips line breaks.
	for _, r := range plain[len(tokenPrefix):] {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return nil, false
		}
	}
	sum := sha256.Sum256([]byte(plain))
	return sum[:], true
}

// tokenSource reads the token a request presents; present is false when it
// presents none at all.
type tokenSource func(c *fiber.Ctx) (token string, present bool)

// bearerToken reads "Authorization: Bearer <token>" (RFC 6750; the scheme
// is case-insensitive).
func bearerToken(c *fiber.Ctx) (string, bool) {
	v := c.Get(fiber.HeaderAuthorization)
	if v == "" {
		return "", false
	}
	scheme, token, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(token), true
}

// hibpKey reads the hibp-api-key header, where clients of the Have I Been
// Pwned API send their key.
func hibpKey(c *fiber.Ctx) (string, bool) {
	v := c.Get("hibp-api-key")
	return strings.TrimSpace(v), v != ""
}

// tokenRule is what a token access level asks of a request: where its
// token is, the scope it must hold ("" for any token), and, for the levels
// that refuse admins' tokens, the refusal they get.
type tokenRule struct {
	from        tokenSource
	scope       string
	adminRefuse string
}

const (
	refuseAdminSearch    = "Admins may not search accounts."
	refuseAdminWatchlist = "Admins keep no watchlist."
)

// tokenRules are the token access levels. The bearer levels read
// "Authorization: Bearer" (RFC 6750); the hibp ones the hibp-api-key
// header, where clients of the HIBP-compatible API (/api/v3/) send it.
var tokenRules = map[access]tokenRule{
	apiToken:           {from: bearerToken},
	userAPISearch:      {bearerToken, store.ScopeSearch, refuseAdminSearch},
	userWatchlistRead:  {bearerToken, store.ScopeWatchlistRead, refuseAdminWatchlist},
	userWatchlistWrite: {bearerToken, store.ScopeWatchlistWrite, refuseAdminWatchlist},
	userHIBPSearch:     {hibpKey, store.ScopeSearch, refuseAdminSearch},
	hibpToken:          {from: hibpKey},
}

// tokenAccess is the guard of each token access level, nil for the levels
// of browsers. It lets a request through only with a working personal API
// token that holds the level's scope, from a user the level admits. The
// token's user becomes currentUser(c) and the token currentToken(c); a
// session cookie counts for nothing here, and there is no session.
// Refusals are JSON: 401 with WWW-Authenticate for a missing, malformed,
// unknown, expired or revoked token or a disabled user, 403 for a token
// without the scope or an admin's token on a user level.
func (h *Handler) tokenAccess(a access) fiber.Handler {
	rule, ok := tokenRules[a]
	if !ok {
		return nil
	}
	return h.tokenGuard(rule)
}

func (h *Handler) tokenGuard(rule tokenRule) fiber.Handler {
	from, scope := rule.from, rule.scope
	return func(c *fiber.Ctx) error {
		// Whatever the cookie said, this request is only what its token is.
		c.Locals(localUser, nil)
		c.Locals(localSession, nil)
		plain, present := from(c)
		if !present {
			return tokenRefused(c, "missing_token", "This API needs a personal API token.")
		}
		digest, ok := tokenDigest(plain)
		if !ok {
			return tokenRefused(c, "invalid_token", "The API token is malformed.")
		}
		now := h.now()
		tu, err := h.store.TokenByDigest(c.UserContext(), digest, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return tokenRefused(c, "invalid_token", "The API token is not valid.")
		case errors.Is(err, store.ErrTokenExpired):
			return tokenRefused(c, "expired_token", store.ErrTokenExpired.Message)
		case errors.Is(err, store.ErrTokenRevoked):
			return tokenRefused(c, "revoked_token", store.ErrTokenRevoked.Message)
		case errors.Is(err, store.ErrTokenSuspended):
			return tokenRefused(c, "invalid_token", store.ErrTokenSuspended.Message)
		case err != nil:
			h.log.Error("token lookup", "err", err, "request_id", requestIDOf(c))
			return apiError(c, fiber.StatusInternalServerError, "internal", "Something went wrong on our side; please try again.")
		}
		if scope != "" && !tu.Token.HasScope(scope) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="pcmt", error="insufficient_scope", scope="`+scope+`"`)
			return apiError(c, fiber.StatusForbidden, "insufficient_scope", "The API token lacks the "+scope+" scope.")
		}
		if ok, wait := h.tokenRate.allow(tu.Token.ID, now); !ok {
			return tooManyRequests(c, wait)
		}
		// A use is written at most once a minute per token: every touch
		// takes the one writer.
		if now.Sub(tu.Token.LastUsedAt) >= touchEvery {
			if err := h.store.TouchToken(c.UserContext(), tu.Token.ID, now); err != nil {
				h.log.Error("touch token", "err", err, "request_id", requestIDOf(c))
			}
		}
		if rule.adminRefuse != "" && tu.User.IsAdmin() {
			return apiError(c, fiber.StatusForbidden, "forbidden", rule.adminRefuse)
		}
		c.Locals(localUser, tu.User)
		c.Locals(localToken, &tu.Token)
		return c.Next()
	}
}

// currentToken is the API token the request came with, or nil.
func currentToken(c *fiber.Ctx) *store.Token {
	t, _ := c.Locals(localToken).(*store.Token)
	return t
}

// apiErrorBody is the shape of every API error.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// tokenRefused is a 401 with the challenge RFC 6750 asks for.
func tokenRefused(c *fiber.Ctx, code, message string) error {
	challenge := `Bearer realm="pcmt"`
	if code != "missing_token" {
		challenge += `, error="invalid_token"`
	}
	c.Set(fiber.HeaderWWWAuthenticate, challenge)
	return apiError(c, fiber.StatusUnauthorized, code, message)
}
