package routes

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Sign-up proves the address before anything else: the first form takes
// the address alone and mails it a code (or, when the address already has
// an account, a note to its owner); the second takes the code with the new
// account's username and password. Both forms answer alike whether or not
// the address is taken, and neither does costly work before the code is
// right, so sign-up neither tells who has an account nor burns CPU for
// whoever asks.
const (
	// signUpTTL is how long a mailed code works.
	signUpTTL = 30 * time.Minute
	// signUpMailEvery bounds the mail an address gets: a new code (or
	// note) at most this often, however many times it is asked for.
	signUpMailEvery = 5 * time.Minute
	// signUpAttempts is how many wrong codes end a pending sign-up.
	signUpAttempts = 5
	// signUpMaxPending bounds the memory pending sign-ups take.
	signUpMaxPending = 10_000
)

// pendingSignUps are the addresses waiting for their code, in memory only:
// a restart forgets them, and the user asks for a new code.
type pendingSignUps struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*pendingSignUp // by normalised address
}

// pendingSignUp is one address's sign-up. An address that already has an
// account gets one too, with no code that works, so that it behaves
// exactly like a free one.
type pendingSignUp struct {
	code     [32]byte // SHA-256 of the code
	hasCode  bool
	attempts int
	mailedAt time.Time
	expires  time.Time
}

func newPendingSignUps(now func() time.Time) *pendingSignUps {
	return &pendingSignUps{now: now, m: map[string]*pendingSignUp{}}
}

// errSignUpsFull refuses a sign-up while too many are pending.
var errSignUpsFull = fmt.Errorf("routes: too many pending sign-ups")

// start begins (or joins) the sign-up of email. It returns the code to
// mail, "" when no mail is due: the address was mailed less than
// signUpMailEvery ago, or is taken (then mail is true and the owner gets a
// note instead). The caller decides which mail from taken.
func (ps *pendingSignUps) start(email string, taken bool) (code string, mail bool, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := ps.now()
	if e := ps.m[email]; e != nil && now.Sub(e.mailedAt) < signUpMailEvery {
		return "", false, nil
	}
	ps.prune(now)
	if len(ps.m) >= signUpMaxPending {
		return "", false, errSignUpsFull
	}
	e := &pendingSignUp{mailedAt: now, expires: now.Add(signUpTTL)}
	if !taken {
		code = newSignUpCode()
		e.code, e.hasCode = sha256.Sum256([]byte(code)), true
	}
	ps.m[email] = e
	return code, true, nil
}

// live reports whether email has a pending sign-up still open to codes.
func (ps *pendingSignUps) live(email string) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e := ps.m[email]
	return e != nil && ps.now().Before(e.expires) && e.attempts < signUpAttempts
}

// check tries code against email's sign-up. ok is true for the right
// code; over when the sign-up is used up (expired, or one wrong code too
// many), and the browser must start again.
func (ps *pendingSignUps) check(email, code string) (ok, over bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e := ps.m[email]
	if e == nil || !ps.now().Before(e.expires) || e.attempts >= signUpAttempts {
		return false, true
	}
	sum := sha256.Sum256([]byte(normaliseSignUpCode(code)))
	if e.hasCode && subtle.ConstantTimeCompare(sum[:], e.code[:]) == 1 {
		return true, false
	}
	e.attempts++
	return false, e.attempts >= signUpAttempts
}

// done ends email's sign-up once its account exists. The entry stays,
// used up, until it expires, so that the address gets no new mail sooner
// than signUpMailEvery.
func (ps *pendingSignUps) done(email string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if e := ps.m[email]; e != nil {
		e.attempts = signUpAttempts
	}
}

// prune forgets the sign-ups that are over and whose address may be
// mailed again.
func (ps *pendingSignUps) prune(now time.Time) {
	for k, e := range ps.m {
		if !now.Before(e.expires) || (e.attempts >= signUpAttempts && now.Sub(e.mailedAt) >= signUpMailEvery) {
			delete(ps.m, k)
		}
	}
}

// newSignUpCode is ten random digits in two groups: about 33 bits, against
// five guesses per mail and a mail per address every few minutes.
func newSignUpCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	n := binary.BigEndian.Uint64(b[:]) % 10_000_000_000
	s := fmt.Sprintf("%010d", n)
	return s[:5] + "-" + s[5:]
}

// normaliseSignUpCode accepts a code typed with or without its dash and
// with spaces: only its digits count, put back in the mailed form.
func normaliseSignUpCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '\t':
		default:
			return ""
		}
		if b.Len() > 10 {
			return ""
		}
	}
	d := b.String()
	if len(d) != 10 {
		return ""
	}
	return d[:5] + "-" + d[5:]
}
