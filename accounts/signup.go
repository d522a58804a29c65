package accounts

import (
	"context"
	"errors"

	"filippo.io/age"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/monitor"
	"pcmt/store"
)

// The sign-up's refusals that are not a field's.
var (
	// ErrSignUpsBusy refuses a new sign-up while too many wait for their
	// code: they are kept in memory, which must stay bounded.
	ErrSignUpsBusy = apperr.New(apperr.Unavailable, "Too many sign-ups are waiting for their code. Try again in a few minutes.")
	// ErrSignUpOver says that an address has no sign-up open to codes: it
	// never had one, it expired, one wrong code too many ended it, or its
	// account was made. The person starts again with their address.
	ErrSignUpOver = apperr.New(apperr.NotFound, "This sign-up is over: ask for a new code.")
)

// The messages of the code's rules.
const (
	badSignUpCode   = "Enter the code from the mail: ten digits."
	wrongSignUpCode = "This code is not right."
)

// StartSignUp is the first step of a sign-up, which proves the address
// before anything else: email (normalised) is mailed a code when it has no
// account, and its owner a note when it has one. Both cost the same, one
// read and one queued mail, and leave a pending sign-up that behaves alike
// (for a taken address no code works), so that nothing tells the two
// apart. An address asked for again within SignUpMailEvery is mailed
// nothing. queued says whether a mail waits in the outbox; a bad address
// is Refused, and too many pending sign-ups ErrSignUpsBusy.
func (s *Service) StartSignUp(ctx context.Context, email string) (queued bool, err error) {
	if !account.ValidEmail(email) {
		return false, Refused{FieldEmail: badEmail}
	}
	owner, err := s.store.EmailOwner(ctx, email)
	if err != nil {
		return false, err
	}
	code, mail, err := s.signUps.start(email, owner != 0)
	if errors.Is(err, errSignUpsFull) {
		return false, ErrSignUpsBusy
	}
	if err != nil || !mail {
		return false, err
	}
	m := monitor.SignUpTakenMail()
	if owner == 0 {
		m = monitor.SignUpCodeMail(code, SignUpTTL)
	}
	m.UserID, m.To = owner, email
	if _, err := s.store.EnqueueMail(ctx, m, s.now()); err != nil {
		return false, err
	}
	return true, nil
}

// SignUpPending reports whether email has a pending sign-up still open to
// codes.
func (s *Service) SignUpPending(email string) bool { return s.signUps.live(email) }

// SignUp is an account its owner makes, with the code mailed to its
// address.
type SignUp struct {
	Username, Email, Password string
	// Code is the code as typed: its dash and spaces do not count.
	Code string
	IP   string
}

// CheckSignUp applies the sign-up's rules that need neither the pending
// sign-up nor the database: the code's form, the username, the address and
// the password. A form asks it to show every refusal at once; FinishSignUp
// applies it again.
func (s *Service) CheckSignUp(n SignUp) error {
	r := Refused{}
	checkName(r, n.Username, n.Email)
	// Never generated: an empty password is refused as too short.
	if msg := s.policy.Check(n.Password, n.Username, n.Email); msg != "" {
		r[FieldPassword] = msg
	}
	if normaliseSignUpCode(n.Code) == "" {
		r[FieldCode] = badSignUpCode
	}
	return r.OrNil()
}

// FinishSignUp is the second step: once the code proves the address it
// makes the account, its key (they chose the password, so it is made now)
// and its log entry, and returns the account and its unlocked key.
// Everything cheap comes first (the rules, the code, the username's
// freedom); only then the password hash and the key, the costly part. A
// wrong code is Refused (FieldCode) and counts against SignUpAttempts; a
// sign-up that is over, or used up by this code, is ErrSignUpOver. An
// address that got an account meanwhile (an admin made it) is
// store.ErrEmailTaken, and ends the sign-up as success does.
func (s *Service) FinishSignUp(ctx context.Context, n SignUp) (*store.User, *age.X25519Identity, error) {
	if err := s.CheckSignUp(n); err != nil {
		return nil, nil, err
	}
	if right, over := s.signUps.check(n.Email, n.Code); over {
		return nil, nil, ErrSignUpOver
	} else if !right {
		return nil, nil, Refused{FieldCode: wrongSignUpCode}
	}
	u, identity, err := s.signUp(ctx, n)
	if err == nil || errors.Is(err, store.ErrEmailTaken) {
		s.signUps.done(n.Email)
	}
	return u, identity, err
}

// signUp makes the account of n, the account being its own actor in its
// log entry; the caller has applied the rules and checked the code.
func (s *Service) signUp(ctx context.Context, n SignUp) (*store.User, *age.X25519Identity, error) {
	if taken, err := s.store.UsernameTaken(ctx, n.Username); err != nil {
		return nil, nil, err
	} else if taken {
		return nil, nil, store.ErrUsernameTaken
	}
	password := account.NormalizePassword(n.Password)
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return nil, nil, err
	}
	recipient, wrapped, identity, err := s.vault.NewKey(ctx, password)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	u := &store.User{Username: n.Username, Email: n.Email, PasswordHash: hash, Role: store.RoleUser,
		AgeRecipient: recipient, WrappedIdentity: wrapped, CreatedAt: now}
	if err := s.audit.SignUp(ctx, u, &store.Activity{At: now, Event: store.EventSignUp, IP: n.IP}); err != nil {
		return nil, nil, err
	}
	return u, identity, nil
}
