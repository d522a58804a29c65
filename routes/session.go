package routes

import (
	"bytes"
	"context"
	"errors"
	"time"

	"filippo.io/age"
	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
	"pcmt/views"
)

const (
	localSession = "session"
	localUser    = "user"
	// touchEvery bounds how often a session's last-seen time is written.
	touchEvery = time.Minute
)

// sessionID is the session id the request's cookie carries, or nil.
func (h *Handler) sessionID(c *fiber.Ctx) []byte {
	id, ok := h.cookies.session.get(c)
	if !ok || len(id) != account.SessionIDLen {
		return nil
	}
	return id
}

// loadSession finds the request's session and user. A cookie whose session
// is gone, expired, idle too long, of a disabled user, or whose user's key
// is no longer unlocked in memory (after a restart) is cleared.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	id := h.sessionID(c)
	if id == nil {
		return c.Next()
	}
	hash := account.HashSessionID(id)
	sess, user, err := h.store.SessionUser(c.UserContext(), hash)
	if errors.Is(err, store.ErrNotFound) {
		// Revoked or swept, maybe by another process: its key goes too.
		h.vault.Drop(hash)
		h.cookies.session.clear(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	now := h.now()
	switch {
	case !now.Before(sess.ExpiresAt), now.Sub(sess.LastSeenAt) > h.cfg.Session.IdleTimeout.Std(), user.Disabled:
		h.endSession(c.UserContext(), user.ID, hash)
		h.cookies.session.clear(c)
		return c.Next()
	case user.HasVault() && !h.vault.Unlocked(hash):
		h.endSession(c.UserContext(), user.ID, hash)
		h.cookies.session.clear(c)
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
	h.pendingSignIns.dropUser(userID)
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
	if err := h.cookies.session.set(c, id, h.now()); err != nil {
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
