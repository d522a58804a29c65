// Package accounts holds the rules of account changes: the pages, the
// command line and serve's first start make users and reset passwords
// through it, and the pages sign people up (the address proven by a
// mailed code first), change roles, statuses, addresses and users'
// own passwords, sign users in and out, end their sessions, make and revoke
// their API tokens, and set up, check and turn off their two-factor
// sign-in, so that the rules, the password policy, the clock and the
// activity log entry are the same whichever door was used. Each change,
// the sessions and tokens it ends and its log entry are one transaction.
// account/ keeps the primitives it uses (hashing, policy, keys, TOTP).
package accounts

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/breach"
	"pcmt/store"
)

// Service applies the account rules against one store.
type Service struct {
	store  *store.Store
	audit  *store.Auditor
	hasher *account.Hasher
	vault  *account.Vault
	policy *account.Policy
	// box seals the two-factor secrets; nil where there is no two-factor
	// door (the command line).
	box *account.SecretBox
	log *slog.Logger
	now func() time.Time
	// signUps are the addresses waiting for their sign-up code.
	signUps *pendingSignUps
}

// Deps is what a Service needs; the zero values of the optional fields
// give the production ones.
type Deps struct {
	Store    *store.Store
	AuditKey []byte
	// Log takes the warnings of breach checks that failed, and of
	// two-factor secrets that could not be sealed anew.
	Log *slog.Logger
	// Hasher hashes passwords; nil makes one with the production costs.
	Hasher *account.Hasher
	// Vault makes the keys of accounts that choose their own password at
	// once (sign-up); nil makes one with the production work factor.
	Vault *account.Vault
	// Now is the clock of creation times, log entries and token ends; nil
	// is time.Now. Tests and the pages pass theirs.
	Now func() time.Time
	// TOTPBox seals the users' two-factor secrets, the current key sealing
	// and older ones still opening (see account.NewSecretBox); nil leaves
	// the two-factor set-up and code checks refused, as the command line,
	// which has neither, does.
	TOTPBox *account.SecretBox
	// PendingSignUps bounds the sign-ups waiting for their code, which
	// are kept in memory; 0 is 10,000.
	PendingSignUps int
}

// New builds the Service of d.
func New(d Deps) *Service {
	s := &Service{
		store:  d.Store,
		audit:  d.Store.Auditor(d.AuditKey),
		hasher: d.Hasher,
		vault:  d.Vault,
		policy: NewPolicy(d.Store, d.Log),
		box:    d.TOTPBox,
		log:    d.Log,
		now:    d.Now,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.hasher == nil {
		s.hasher = account.NewHasher()
	}
	if s.vault == nil {
		s.vault = account.NewVault(account.MinVaultWorkFactor)
	}
	if s.now == nil {
		s.now = time.Now
	}
	pending := d.PendingSignUps
	if pending <= 0 {
		pending = maxPendingSignUps
	}
	s.signUps = newPendingSignUps(s.now, pending)
	return s
}

// NewPolicy is the password policy of every door: the common-password list
// and the instance's own breach data, so that a password the pages refuse
// is refused on the command line too. A nil st (no database open yet)
// leaves the breach data out: see Precheck.
func NewPolicy(st *store.Store, log *slog.Logger) *account.Policy {
	p := account.NewPolicy()
	if st == nil {
		return p
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p.Breached = breach.SeenPassword(st, log)
	return p
}

// Policy is the Service's password policy, for the forms that check a
// password before anything else (a user's own password change).
func (s *Service) Policy() *account.Policy { return s.policy }

// Field names a value that a rule refused, as a key of Refused.
type Field = string

// The fields of an account the rules check.
const (
	FieldUsername Field = "username"
	FieldEmail    Field = "email"
	FieldPassword Field = "password"
	// FieldCode is a code the user typed: the one mailed to a sign-up's
	// address, or the one a two-factor app shows.
	FieldCode Field = "code"
)

// Refused is what the rules turned down, a message per field written for
// the person who typed the value: the pages show each beside its field.
type Refused = apperr.Refused

// The messages of the username and e-mail rules.
const (
	badUsername = "Use 3 to 32 letters, digits, dots, dashes or underscores."
	badEmail    = "Enter an e-mail address like name@example.org."
)

// checkName applies the username and e-mail rules to a new account.
func checkName(r Refused, username, email string) {
	if !account.ValidUsername(username) {
		r[FieldUsername] = badUsername
	}
	if !account.ValidEmail(email) {
		r[FieldEmail] = badEmail
	}
}

// checkPassword applies the policy to a password someone chose; an empty
// one (to be generated) passes.
func checkPassword(p *account.Policy, r Refused, password, username, email string) {
	if password == "" {
		return
	}
	if msg := p.Check(password, username, email); msg != "" {
		r[FieldPassword] = msg
	}
}

// passwordFor is the chosen password, or a generated one the policy
// accepts for the account; generated says which.
func (s *Service) passwordFor(chosen, username, email string) (password string, generated bool) {
	if chosen != "" {
		return chosen, false
	}
	return s.policy.GeneratePasswordFor(username, email), true
}

// detail joins the parts of a log entry's detail that are not empty.
func detail(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
