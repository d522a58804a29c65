package accounts

import (
	"context"
	"errors"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
)

// Change is an admin's action on an existing account: role, status,
// address or deletion. Each is made with its log entry in one transaction,
// the admin as actor. The last active admin can't be demoted, disabled or
// deleted (store.ErrLastAdmin): the store checks it inside the
// transaction, where two admins acting at once can't both pass it.
type Change struct {
	User *store.User
	// ActorID is the admin acting.
	ActorID int64
	IP      string
}

// self says whether the admin acts on their own account.
func (c Change) self() bool { return c.ActorID == c.User.ID }

func (c Change) entry(s *Service, event, detail string) *store.Activity {
	return &store.Activity{At: s.now(), ActorID: c.ActorID, IP: c.IP, Event: event, Detail: detail}
}

// ErrUnchanged says the account is already as asked: nothing was done or
// logged, and the pages say so rather than refuse.
var ErrUnchanged = errors.New("accounts: unchanged")

// The refusals of a role change.
var (
	ErrNoRole        = apperr.New(apperr.Invalid, "The form named no role.")
	ErrSelfPromotion = apperr.New(apperr.Forbidden, "An admin never promotes themselves.")
)

// CheckRole applies the rules of c's role change to role that need no
// transaction: a known role, no admin promoting themselves (an admin may
// demote themselves), a role the account has not already (ErrUnchanged).
// A form asks it first; SetRole applies it again.
func CheckRole(c Change, role store.Role) error {
	switch {
	case role != store.RoleAdmin && role != store.RoleUser:
		return ErrNoRole
	case c.self() && role == store.RoleAdmin:
		return ErrSelfPromotion
	case role == c.User.Role:
		return ErrUnchanged
	}
	return nil
}

// SetRole gives c.User role, ending their sessions and API tokens (what
// they could do changes); it returns how many sessions ended.
func (s *Service) SetRole(ctx context.Context, c Change, role store.Role) (int, error) {
	if err := CheckRole(c, role); err != nil {
		return 0, err
	}
	ev := c.entry(s, store.EventRoleChanged, string(c.User.Role)+" → "+string(role))
	n, err := s.audit.SetRole(ctx, c.User.ID, role, ev)
	if err != nil {
		return 0, err
	}
	c.User.Role = role
	return n, nil
}

// Disable stops c.User from signing in and ends their sessions and API
// tokens; it returns how many sessions ended.
func (s *Service) Disable(ctx context.Context, c Change) (int, error) {
	if c.User.Disabled {
		return 0, ErrUnchanged
	}
	n, err := s.audit.Disable(ctx, c.User.ID, c.entry(s, store.EventUserDisabled, ""), func(revoked int) string {
		return plural(revoked, "session signed out", "sessions signed out")
	})
	if err != nil {
		return 0, err
	}
	c.User.Disabled = true
	return n, nil
}

// Enable lets a disabled c.User sign in again.
func (s *Service) Enable(ctx context.Context, c Change) error {
	if !c.User.Disabled {
		return ErrUnchanged
	}
	if err := s.audit.Enable(ctx, c.User.ID, c.entry(s, store.EventUserEnabled, "")); err != nil {
		return err
	}
	c.User.Disabled = false
	return nil
}

// Delete removes c.User, their sessions and tokens; the log keeps their
// history under the account's name.
func (s *Service) Delete(ctx context.Context, c Change) error {
	return s.audit.DeleteUser(ctx, c.User.ID, c.entry(s, store.EventUserDeleted, "account "+c.User.Username))
}

// CheckEmail applies the address rules to c's new address email
// (normalised): a valid one (Refused), not the one the account has
// (ErrUnchanged). A form asks it first; SetEmail applies it again.
func CheckEmail(c Change, email string) error {
	if !account.ValidEmail(email) {
		return Refused{FieldEmail: badEmail}
	}
	if email == c.User.Email {
		return ErrUnchanged
	}
	return nil
}

// SetEmail gives c.User the address email, normalised by the caller. An
// address in use is store.ErrEmailTaken.
func (s *Service) SetEmail(ctx context.Context, c Change, email string) error {
	if err := CheckEmail(c, email); err != nil {
		return err
	}
	by := "by an admin"
	if c.self() {
		by = ""
	}
	if err := s.audit.SetEmail(ctx, c.User.ID, email, c.entry(s, store.EventEmailChanged, by)); err != nil {
		return err
	}
	c.User.Email = email
	return nil
}
