package accounts

import (
	"context"

	"pcmt/account"
	"pcmt/store"
)

// NewUser is an account someone makes for someone else: an admin on the
// pages or from the command line.
type NewUser struct {
	Username, Email string
	// Password is the one chosen for the account; empty asks for a
	// generated one.
	Password string
	Role     store.Role
	// ActorID is the admin making the account; 0 for the command line.
	ActorID int64
	IP      string
	// Note says where the account was made, for the log entry.
	Note string
}

// Check applies the rules that need no new account to a NewUser: the
// username, the address and, when chosen, the password. A form asks it to
// show every refusal at once; CreateUser applies it again.
func (s *Service) Check(n NewUser) error { return check(s.policy, n) }

// Precheck applies the rules of a NewUser that need no database: all but
// the breach data and the names in use. The command line asks it before it
// opens, and perhaps creates, a database, so that a refusal leaves no file
// behind; CreateUser applies every rule again.
func Precheck(n NewUser) error { return check(NewPolicy(nil, nil), n) }

func check(p *account.Policy, n NewUser) error {
	r := Refused{}
	checkName(r, n.Username, n.Email)
	checkPassword(p, r, n.Password, n.Username, n.Email)
	return r.OrNil()
}

// Created is a new account and, when it was generated, its password, to be
// shown once: only its hash is kept.
type Created struct {
	User              *store.User
	GeneratedPassword string
}

// CreateUser makes the account n describes with its log entry. An account
// made by someone else must change its password at first sign-in, which is
// when its own key is made: nobody but its owner ever holds it. A refusal
// is Refused; a name or address in use is store.ErrUsernameTaken or
// store.ErrEmailTaken.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (Created, error) {
	if err := s.Check(n); err != nil {
		return Created{}, err
	}
	return s.create(ctx, n)
}

// create makes an account that must change its password; the caller has
// applied the rules.
func (s *Service) create(ctx context.Context, n NewUser) (Created, error) {
	password, generated := s.passwordFor(n.Password, n.Username, n.Email)
	hash, err := s.hasher.Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return Created{}, err
	}
	now := s.now()
	u := &store.User{Username: n.Username, Email: n.Email, PasswordHash: hash, Role: n.Role,
		MustChangePassword: true, CreatedAt: now}
	ev := &store.Activity{At: now, ActorID: n.ActorID, IP: n.IP, Event: store.EventUserCreated,
		Detail: detail(n.Note, "as "+string(n.Role))}
	if err := s.audit.CreateUser(ctx, u, ev); err != nil {
		return Created{}, err
	}
	c := Created{User: u}
	if generated {
		c.GeneratedPassword = password
	}
	return c, nil
}

// The first admin's name and address. admin@localhost is no address that
// ValidEmail accepts (it has no dot): it is a placeholder the admin
// replaces, and the one account exempt from the address rule.
const (
	FirstAdminName  = "admin"
	FirstAdminEmail = "admin@localhost"
)

// FirstAdmin makes the admin account of a database that has no account
// yet, with password or, when empty, a generated one; on a database with
// accounts it makes nothing and returns a zero Created. A refused password
// is Refused.
func (s *Service) FirstAdmin(ctx context.Context, password string) (Created, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return Created{}, err
	}
	r := Refused{}
	checkPassword(s.policy, r, password, FirstAdminName, FirstAdminEmail)
	if err := r.OrNil(); err != nil {
		return Created{}, err
	}
	return s.create(ctx, NewUser{Username: FirstAdminName, Email: FirstAdminEmail, Password: password,
		Role: store.RoleAdmin, Note: "first admin, at first start"})
}
