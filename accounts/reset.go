package accounts

import (
	"context"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
)

// ErrOwnReset refuses an admin's reset of their own password, which would
// discard their own key: they change it in their settings instead.
var ErrOwnReset = apperr.New(apperr.Forbidden,
	"Change your own password under Settings → Password: a reset would discard your own key.")

// Reset is a password someone sets for another account.
type Reset struct {
	User *store.User
	// Password is the one chosen; empty asks for a generated one.
	Password string
	// ActorID is the admin resetting it; 0 for the command line.
	ActorID int64
	IP      string
	// Note says where the reset was made, for the log entry.
	Note string
}

// ResetDone is what a reset did: the generated password to show once (empty
// when one was chosen), the sessions it ended and whether the user's key
// was discarded.
type ResetDone struct {
	GeneratedPassword string
	Revoked           int
	KeyDiscarded      bool
}

// ResetPassword gives r.User a password that must change at next sign-in.
// Their own key is discarded (nobody else can unwrap it), so what was
// encrypted to it is lost; every session and API token of theirs ends. The
// change and its log entry are one transaction. A refused password is
// Refused.
func (s *Service) ResetPassword(ctx context.Context, r Reset) (ResetDone, error) {
	u := r.User
	if r.ActorID == u.ID {
		return ResetDone{}, ErrOwnReset
	}
	refused := Refused{}
	checkPassword(s.policy, refused, r.Password, u.Username, u.Email)
	if err := refused.OrNil(); err != nil {
		return ResetDone{}, err
	}
	password, generated := s.passwordFor(r.Password, u.Username, u.Email)
	hash, err := s.hasher.Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return ResetDone{}, err
	}
	done := ResetDone{KeyDiscarded: u.HasVault()}
	if generated {
		done.GeneratedPassword = password
	}
	keyGone := ""
	if done.KeyDiscarded {
		keyGone = "own key discarded"
	}
	now := s.now()
	ev := &store.Activity{At: now, ActorID: r.ActorID, IP: r.IP, Event: store.EventPasswordReset}
	// No recipient and no wrapped identity: the key is gone.
	done.Revoked, err = s.audit.ResetPassword(ctx, u.ID, store.PasswordChange{Hash: hash, MustChangePassword: true}, now, ev,
		func(revoked int) string {
			return detail(r.Note, plural(revoked, "session signed out", "sessions signed out"), keyGone)
		})
	if err != nil {
		return ResetDone{}, err
	}
	u.MustChangePassword = true
	return done, nil
}
