package accounts

import (
	"context"
	"errors"
	"strconv"

	"filippo.io/age"

	"pcmt/account"
	"pcmt/store"
)

// OwnPassword is a user's change of their own password. The caller has
// checked the current one, with its throttle of wrong guesses.
type OwnPassword struct {
	User         *store.User
	Current, New string
	// Identity is the user's unlocked key, from their session; nil when
	// they have none yet (their first own password), and one is made.
	Identity *age.X25519Identity
	IP       string
	// StartSession starts the session that survives the change, holding
	// identity, and returns its id hash: every other session ends.
	StartSession func(identity *age.X25519Identity) ([]byte, error)
}

// PasswordChanged is what a change of one's own password ended: the other
// sessions and the API tokens that worked.
type PasswordChanged struct {
	Revoked int
	Tokens  int64
}

// samePassword refuses a new password that is the current one.
const samePassword = "The new password is the same as the current one."

// CheckOwnPassword applies the rules of a new password u chose in place of
// current: the policy, and not the current one. A form asks it first;
// ChangeOwnPassword applies it again.
func (s *Service) CheckOwnPassword(u *store.User, current, password string) error {
	r := Refused{}
	if msg := s.policy.Check(password, u.Username, u.Email); msg != "" {
		r[FieldPassword] = msg
	} else if password == current {
		r[FieldPassword] = samePassword
	}
	return r.OrNil()
}

// ChangeOwnPassword stores p.New, re-wraps the user's key with it (or, the
// first time, makes one), ends every other session and every API token,
// and logs the change (and the tokens' end), all in one transaction: a new
// password ends what the old one let anyone set up. A refused password is
// Refused; busy key slots are account.ErrBusy.
func (s *Service) ChangeOwnPassword(ctx context.Context, p OwnPassword) (PasswordChanged, error) {
	u := p.User
	if err := s.CheckOwnPassword(u, p.Current, p.New); err != nil {
		return PasswordChanged{}, err
	}
	password := account.NormalizePassword(p.New)
	change := store.PasswordChange{}
	identity := p.Identity
	var err error
	if u.HasVault() {
		change.AgeRecipient = u.AgeRecipient
		if change.WrappedIdentity, err = s.vault.Wrap(ctx, identity, password); err != nil {
			return PasswordChanged{}, err
		}
	} else if change.AgeRecipient, change.WrappedIdentity, identity, err = s.vault.NewKey(ctx, password); err != nil {
		return PasswordChanged{}, err
	}
	if change.Hash, err = s.hasher.Hash(ctx, password); err != nil {
		return PasswordChanged{}, err
	}
	if change.KeepSession, err = p.StartSession(identity); err != nil {
		return PasswordChanged{}, err
	}
	now := s.now()
	var done PasswordChanged
	done.Revoked, done.Tokens, err = s.audit.ChangeOwnPassword(ctx, u.ID, store.OwnPasswordChange{
		Change:  change,
		Changed: &store.Activity{At: now, ActorID: u.ID, IP: p.IP, Event: store.EventPasswordChanged},
		Describe: func(revoked int) string {
			return plural(revoked, "other session signed out", "other sessions signed out")
		},
		TokensRevoked: &store.Activity{At: now, ActorID: u.ID, IP: p.IP, Event: store.EventTokenRevoked},
		DescribeTokens: func(tokens int64) string {
			return strconv.FormatInt(tokens, 10) + " at password change"
		},
	})
	if err != nil {
		return PasswordChanged{}, err
	}
	u.MustChangePassword = false
	return done, nil
}

// CheckPassword verifies password for u — sign-in, and a signed-in user
// confirming a change — spending the same hashing work when u is nil (no
// such account) so that timing does not tell; rehash says the hash is of
// older costs and should be replaced.
func (s *Service) CheckPassword(ctx context.Context, u *store.User, password string) (ok, rehash bool, err error) {
	password = account.NormalizePassword(password)
	if u == nil {
		err = s.hasher.VerifyNothing(ctx, password)
	} else {
		rehash, err = s.hasher.Verify(ctx, u.PasswordHash, password)
	}
	if errors.Is(err, account.ErrMismatch) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, rehash, nil
}

// Rehash stores a new hash of u's password, right as CheckPassword said,
// under the Service's costs: a hash of older costs is replaced at the
// next sign-in.
func (s *Service) Rehash(ctx context.Context, u *store.User, password string) error {
	h, err := s.hasher.Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, u.ID, h)
}
