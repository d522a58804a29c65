package routes

import (
	"bytes"
	"context"
	"errors"
	"time"

	"filippo.io/age"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/securecookie"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/config"
	"pcmt/store"
	"pcmt/views"
)

const (
	localSession = "session"
	localUser    = "user"
	// touchEvery bounds how often a session's last-seen time is written.
	touchEvery = time.Minute
)

// cookieJar encodes the session cookie: the 256-bit id only, authenticated
// and encrypted by securecookie, with the old key pair still accepted while
// keys rotate.
type cookieJar struct {
	codecs []securecookie.Codec
	name   string
	secure bool
	maxAge time.Duration
}

func newCookieJar(cfg *config.Config, k config.Keys) *cookieJar {
	return &cookieJar{codecs: cookieCodecs(k, cfg.Session.MaxAge.Std()), name: cookieName(cfg, cfg.Session.CookieName),
		secure: cfg.SecureCookies(), maxAge: cfg.Session.MaxAge.Std()}
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

// id returns the session id the request's cookie carries, or nil.
func (j *cookieJar) id(c *fiber.Ctx) []byte {
	raw := c.Cookies(j.name)
	if raw == "" {
		return nil
	}
	var id []byte
	if err := securecookie.DecodeMulti(j.name, raw, &id, j.codecs...); err != nil || len(id) != account.SessionIDLen {
		return nil
	}
	return id
}

func (j *cookieJar) set(c *fiber.Ctx, id []byte) error {
	v, err := securecookie.EncodeMulti(j.name, id, j.codecs...)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: j.name, Value: v, Path: "/", HTTPOnly: true, Secure: j.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(j.maxAge)})
	return nil
}

func (j *cookieJar) clear(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: j.name, Value: "", Path: "/", HTTPOnly: true, Secure: j.secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// loadSession finds the request's session and user. A cookie whose session
// is gone, expired, idle too long, of a disabled user, or whose user's key
// is no longer unlocked in memory (after a restart) is cleared.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	id := h.cookies.id(c)
	if id == nil {
		return c.Next()
	}
	hash := account.HashSessionID(id)
	sess, user, err := h.store.SessionUser(c.UserContext(), hash)
	if errors.Is(err, store.ErrNotFound) {
		// Revoked or swept, maybe by another process: its key goes too.
		h.vault.Drop(hash)
		h.cookies.clear(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	now := h.now()
	switch {
	case !now.Before(sess.ExpiresAt), now.Sub(sess.LastSeenAt) > h.cfg.Session.IdleTimeout.Std(), user.Disabled:
		h.endSession(c.UserContext(), user.ID, hash)
		h.cookies.clear(c)
		return c.Next()
	case user.HasVault() && !h.vault.Unlocked(hash):
		h.endSession(c.UserContext(), user.ID, hash)
		h.cookies.clear(c)
		h.flash(c, views.FlashInfo, "Please sign in again to unlock your data.")
		return c.Next()
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := h.store.TouchSession(c.UserContext(), hash, now, h.clientIP(c)); err != nil {
			return err
		}
	}
	c.Locals(localSession, sess)
	c.Locals(localUser, user)
	return c.Next()
}

// endSession removes one session and forgets its key.
func (h *Handler) endSession(ctx context.Context, userID int64, hash []byte) {
	h.vault.Drop(hash)
	if err := h.store.DeleteSession(ctx, userID, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.log.Error("end session", "err", err)
	}
}

// forgetKeys drops the unlocked keys of every session of a user but except,
// after the store revoked those sessions, and the sign-ins of the user
// waiting for their second factor, which hold the key too and would
// otherwise become sessions after the revocation.
func (h *Handler) forgetKeys(userID int64, except []byte) {
	h.vault.DropUser(userID, except)
	h.twoFactor.pending.dropUser(userID)
}

// currentUser is the signed-in user, or nil.
func currentUser(c *fiber.Ctx) *store.User {
	u, _ := c.Locals(localUser).(*store.User)
	return u
}

// currentSession is the request's session, or nil.
func currentSession(c *fiber.Ctx) *store.Session {
	s, _ := c.Locals(localSession).(*store.Session)
	return s
}

// startSession signs user in on this browser with a brand-new session id
// (never one the browser had: no fixation), ending the browser's previous
// session, binding the unlocked key to it. open stores the session:
// accounts' SignIn at a sign-in, StartSession at a password change.
func (h *Handler) startSession(c *fiber.Ctx, user *store.User, identity *age.X25519Identity,
	open func(context.Context, accounts.Self, accounts.NewSession) (*store.Session, error)) ([]byte, error) {
	if old := currentSession(c); old != nil {
		h.endSession(c.UserContext(), old.UserID, old.IDHash)
	}
	id, hash := account.NewSessionID()
	sess, err := open(c.UserContext(), h.self(c, user.ID), accounts.NewSession{
		IDHash: hash, UserAgent: truncate(c.Get(fiber.HeaderUserAgent), 300), Lifetime: h.cfg.Session.MaxAge.Std(),
	})
	if err != nil {
		return nil, err
	}
	if identity != nil {
		h.vault.Bind(hash, user.ID, identity)
	}
	if err := h.cookies.set(c, id); err != nil {
		return nil, err
	}
	c.Locals(localSession, sess)
	c.Locals(localUser, user)
	c.Locals(localCSRF, nil) // the token is bound to the session: make a new one
	return hash, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// sessionBinding is what CSRF tokens are bound to: the session id hash, or
// nothing for signed-out browsers.
func sessionBinding(c *fiber.Ctx) []byte {
	if s := currentSession(c); s != nil {
		return s.IDHash
	}
	return nil
}

// isCurrent reports whether a listed session is the request's own.
func isCurrent(c *fiber.Ctx, hash []byte) bool {
	s := currentSession(c)
	return s != nil && bytes.Equal(s.IDHash, hash)
}
