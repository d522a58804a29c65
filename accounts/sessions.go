package accounts

import (
	"context"
	"time"

	"pcmt/store"
)

// Self is a user acting on their own account: the actor of each change's
// log entry is the account itself.
type Self struct {
	UserID int64
	IP     string
}

func (by Self) entry(s *Service, event, detail string) *store.Activity {
	return &store.Activity{At: s.now(), ActorID: by.UserID, IP: by.IP, Event: event, Detail: detail}
}

// NewSession is a session about to start on a browser: the caller made its
// id, whose hash only is stored.
type NewSession struct {
	IDHash    []byte
	UserAgent string
	// Lifetime is how long the session may last, however busy.
	Lifetime time.Duration
}

// session is the row of n for by, starting now.
func (n NewSession) session(by Self, now time.Time) *store.Session {
	return &store.Session{IDHash: n.IDHash, UserID: by.UserID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(n.Lifetime), IP: by.IP, UserAgent: n.UserAgent}
}

// SignIn starts the session n of a user whose every factor is proven,
// notes the sign-in's time on the account and logs it, in one transaction:
// no session starts unlogged.
func (s *Service) SignIn(ctx context.Context, by Self, n NewSession) (*store.Session, error) {
	ev := by.entry(s, store.EventSignIn, "")
	sess := n.session(by, ev.At)
	if err := s.audit.SignIn(ctx, sess, ev); err != nil {
		return nil, err
	}
	return sess, nil
}

// StartSession starts the session n of a user already signed in, the one
// that survives their password change: the change's own log entry tells
// of it.
func (s *Service) StartSession(ctx context.Context, by Self, n NewSession) (*store.Session, error) {
	sess := n.session(by, s.now())
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// SignOut ends the session idHash of by and logs it; a session already
// ended elsewhere is signed out all the same.
func (s *Service) SignOut(ctx context.Context, by Self, idHash []byte) error {
	return s.audit.SignOut(ctx, by.UserID, idHash, by.entry(s, store.EventSignOut, ""))
}

// RevokeSession ends another session of by's, from the sessions page.
// Someone else's session is store.ErrNotFound: it does not exist for them.
func (s *Service) RevokeSession(ctx context.Context, by Self, idHash []byte) error {
	return s.audit.DeleteSession(ctx, by.UserID, idHash, by.entry(s, store.EventSessionsRevoked, "1 session"))
}

// RevokeOtherSessions ends every session of by's but keep, and returns how
// many ended.
func (s *Service) RevokeOtherSessions(ctx context.Context, by Self, keep []byte) (int, error) {
	return s.audit.DeleteSessions(ctx, by.UserID, keep, by.entry(s, store.EventSessionsRevoked, ""), func(n int) string {
		return plural(n, "session", "sessions")
	})
}
