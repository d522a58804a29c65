// Package watch holds the rules of a user's watchlist: what a valid value
// is, adding one (encrypted to the user's own key, digested with the
// instance's monitor key, looked up in the breaches already here), removing
// one, listing them (read back only by the user's unlocked session), the
// e-mail alert setting, which breaches an API token may see for a value,
// and the HIBP recheck a session's key makes possible. The pages and
// /api/v1 both call it, so that a value refused, a breach hidden or an
// alert's clock is the same whichever door was used; monitor/ keeps the
// matching it drives.
package watch

import (
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/hibp"
	"pcmt/monitor"
	"pcmt/store"
)

// Service applies the watchlist rules against one store.
type Service struct {
	store     *store.Store
	matcher   *monitor.Matcher
	vault     *account.Vault
	hibp      *hibp.Client
	hibpWatch *monitor.HIBPWatch
	log       *slog.Logger
	now       func() time.Time
}

// Deps is what a Service needs.
type Deps struct {
	Store *store.Store
	// Matcher digests values and finds them in breaches: the one serve's
	// imports match with, so that both key the digests alike.
	Matcher *monitor.Matcher
	// Vault holds the sessions' unlocked keys, which alone read values
	// back; nil makes one (in which no session is unlocked).
	Vault *account.Vault
	// HIBP and HIBPWatch recheck a user's values with Have I Been Pwned;
	// nil when it is off.
	HIBP      *hibp.Client
	HIBPWatch *monitor.HIBPWatch
	// Log takes what became of rechecks; nil discards it.
	Log *slog.Logger
	// Now is the clock of items added and of rechecks queued again; nil is
	// time.Now. Tests and the pages pass theirs.
	Now func() time.Time
}

// New builds the Service of d.
func New(d Deps) *Service {
	s := &Service{store: d.Store, matcher: d.Matcher, vault: d.Vault, hibp: d.HIBP,
		hibpWatch: d.HIBPWatch, log: d.Log, now: d.Now}
	if s.vault == nil {
		s.vault = account.NewVault(account.MinVaultWorkFactor)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Reason is why a value was not added: the API answers each with its own
// status and code.
type Reason int

// The reasons a value is refused.
const (
	// Invalid: the value is no e-mail address or username.
	Invalid Reason = iota + 1
	// NoKey: the user has no own key yet to encrypt it to.
	NoKey
	// Duplicate: the user already watches it.
	Duplicate
	// Full: the user watches store.MaxWatchItems values.
	Full
)

// Refused is a value the rules turned down: why, and the sentence the
// user who typed it reads beside the field.
type Refused struct {
	Reason  Reason
	Message string
}

func (r *Refused) Error() string { return "watch: refused: " + r.Message }

// ErrNoKey refuses a value before the user's first own password change,
// which makes the key the watchlist is encrypted to.
var ErrNoKey = &Refused{Reason: NoKey,
	Message: "Change your password first: it makes the key your watchlist is encrypted to."}

// ErrLocked refuses to read the watchlist in a session that holds no key:
// the values are encrypted to it.
var ErrLocked = apperr.New(apperr.Forbidden,
	"Your key is not unlocked in this session: sign out and in again to read your watchlist.")

// maxUsername bounds a watched username, in characters.
const maxUsername = 64

// maxEmail bounds a watched e-mail address, in bytes, as RFC 5321 does.
const maxEmail = 254

// Clean is a typed value as the rules read it: without the spaces around
// it, which nobody means to watch.
func Clean(typed string) string { return strings.TrimSpace(typed) }

// check refuses a value that is no e-mail address or username, nil when it
// is one: an @ makes it an e-mail address (as breach.AccountDigest takes
// it), anything else a username.
func check(v string) *Refused {
	msg := ""
	switch {
	case v == "":
		msg = "Enter an e-mail address or a username."
	case strings.Contains(v, "@"):
		if len(v) > maxEmail || !account.ValidEmail(v) {
			msg = "Enter an e-mail address like name@example.org (at most 254 characters)."
		}
	case !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxUsername:
		msg = "A username has 1 to 64 characters."
	default:
		for _, r := range v {
			if !unicode.IsPrint(r) {
				msg = "A username has only printable characters."
				break
			}
		}
	}
	if msg == "" {
		return nil
	}
	return &Refused{Reason: Invalid, Message: msg}
}
