package routes

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"

	"pcmt/accounts"
	"pcmt/config"
)

// sealedCookie is one of the cookies pcmt sets: its value authenticated and
// encrypted with the cookie keys (the old keys still open values while
// they rotate), HttpOnly, for the whole site, Secure and __Host- prefixed
// behind TLS, ending ttl after it is set by the handlers' clock.
type sealedCookie struct {
	name     string
	codecs   []securecookie.Codec
	secure   bool
	ttl      time.Duration
	sameSite string
}

// get is the request's value of the cookie; ok is false when it has none
// or one that does not open.
func (s *sealedCookie) get(c *fiber.Ctx) (v []byte, ok bool) {
	raw := c.Cookies(s.name)
	if raw == "" {
		return nil, false
	}
	if err := securecookie.DecodeMulti(s.name, raw, &v, s.codecs...); err != nil {
		return nil, false
	}
	return v, true
}

// set seals v into the response's cookie, ending ttl after now.
func (s *sealedCookie) set(c *fiber.Ctx, v []byte, now time.Time) error {
	enc, err := securecookie.EncodeMulti(s.name, v, s.codecs...)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: s.name, Value: enc, Path: "/", HTTPOnly: true, Secure: s.secure,
		SameSite: s.sameSite, Expires: now.Add(s.ttl)})
	return nil
}

// clear tells the browser to drop the cookie.
func (s *sealedCookie) clear(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.name, Value: "", Path: "/", HTTPOnly: true, Secure: s.secure,
		SameSite: s.sameSite, Expires: time.Unix(0, 0), MaxAge: -1})
}

// cookieJar holds every sealed cookie of the site.
type cookieJar struct {
	// session carries the session's 256-bit id only.
	session *sealedCookie
	// device marks a browser that signed in to an account before (see
	// signin_throttle.go): Strict, as only sign-in reads it.
	device *sealedCookie
	// flash carries the messages a redirect leaves for the next page.
	flash *sealedCookie
	// signUp carries the address a browser is signing up with.
	signUp *sealedCookie
	// pending carries the token of a sign-in waiting for its second factor.
	pending *sealedCookie
}

func newCookieJar(cfg *config.Config, k config.Keys) cookieJar {
	sessionAge := cfg.Session.MaxAge.Std()
	sessionCodecs := cookieCodecs(k, sessionAge)
	cookie := func(name string, codecs []securecookie.Codec, ttl time.Duration, sameSite string) *sealedCookie {
		return &sealedCookie{name: name, codecs: codecs, secure: cfg.SecureCookies(), ttl: ttl, sameSite: sameSite}
	}
	lax := fiber.CookieSameSiteLaxMode
	return cookieJar{
		session: cookie(cookieName(cfg, cfg.Session.CookieName), sessionCodecs, sessionAge, lax),
		device:  cookie(cookieName(cfg, "pcmt_device"), cookieCodecs(k, deviceCookieMaxAge), deviceCookieMaxAge, fiber.CookieSameSiteStrictMode),
		flash:   cookie(flashCookie, sessionCodecs, flashTTL, lax),
		signUp:  cookie(cookieName(cfg, "pcmt_signup"), sessionCodecs, accounts.SignUpTTL, lax), // as long as the code works
		pending: cookie(cookieName(cfg, "pcmt_2fa"), sessionCodecs, pendingSignInTTL, lax),
	}
}

// cookieCodecs seal cookie values of at most maxAge with the cookie keys,
// and open those sealed with the old keys while they are rotated out.
func cookieCodecs(k config.Keys, maxAge time.Duration) []securecookie.Codec {
	pairs := [][]byte{k.CookieAuth, k.CookieEncr}
	if k.OldCookieAuth != nil {
		pairs = append(pairs, k.OldCookieAuth, k.OldCookieEncr)
	}
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(maxAge / time.Second))
			// The values are raw bytes (an id, a JSON flash): no gob, which
			// would cost more than the HMAC and AES together.
			sc.SetSerializer(securecookie.NopEncoder{})
		}
	}
	return codecs
}

// cookieName is name with the __Host- prefix when cookies are Secure.
func cookieName(cfg *config.Config, name string) string {
	if cfg.SecureCookies() {
		return "__Host-" + name
	}
	return name
}
