package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Sign-up proves the address before anything else: the first step takes
// the address alone and mails it a code (or, when the address already has
// an account, a note to its owner); the second takes the code with the new
// account's username and password. Both steps do alike whether or not the
// address is taken, and neither does costly work before the code is right,
// so sign-up neither tells who has an account nor burns CPU for whoever
// asks. The steps are in signup.go.
const (
	// SignUpTTL is how long a mailed code works: the pages keep the
	// sign-up's address as long.
	SignUpTTL = 30 * time.Minute
	// SignUpMailEvery bounds the mail an address gets: a new code (or
	// note) at most this often, however many times it is asked for.
	SignUpMailEvery = 5 * time.Minute
	// SignUpAttempts is how many wrong codes end a pending sign-up.
	SignUpAttempts = 5
	// maxPendingSignUps bounds the memory pending sign-ups take, unless
	// Deps says otherwise.
	maxPendingSignUps = 10_000
)

// pendingSignUps are the addresses waiting for their code, in memory only:
// a restart forgets them, and the user asks for a new code.
type pendingSignUps struct {
	now func() time.Time
	max int
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

// newPendingSignUps keeps at most max sign-ups, read by the clock now.
func newPendingSignUps(now func() time.Time, max int) *pendingSignUps {
	return &pendingSignUps{now: now, max: max, m: map[string]*pendingSignUp{}}
}

// errSignUpsFull refuses a sign-up while too many are pending.
var errSignUpsFull = errors.New("accounts: too many pending sign-ups")

// start begins (or joins) the sign-up of email. It returns the code to
// mail, "" when no mail is due: the address was mailed less than
// SignUpMailEvery ago, or is taken (then mail is true and the owner gets a
// note instead). The caller decides which mail from taken.
func (ps *pendingSignUps) start(email string, taken bool) (code string, mail bool, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := ps.now()
	if e := ps.m[email]; e != nil && now.Sub(e.mailedAt) < SignUpMailEvery {
		return "", false, nil
	}
	if len(ps.m) >= ps.max {
		// Only a full map is scanned: a sign-up costs no walk of the
		// others while there is room.
		ps.prune(now)
		if len(ps.m) >= ps.max {
			return "", false, errSignUpsFull
		}
	}
	e := &pendingSignUp{mailedAt: now, expires: now.Add(SignUpTTL)}
	if !taken {
		code = newSignUpCode()
		e.code, e.hasCode = sha256.Sum256([]byte(code)), true
	}
	// Copied: the caller's string may be a request's buffer.
	ps.m[strings.Clone(email)] = e
	return code, true, nil
}

// live reports whether email has a pending sign-up still open to codes.
func (ps *pendingSignUps) live(email string) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.m[email].open(ps.now())
}

// open says whether e (nil: no sign-up) still takes codes at now.
func (e *pendingSignUp) open(now time.Time) bool {
	return e != nil && now.Before(e.expires) && e.attempts < SignUpAttempts
}

// check tries code against email's sign-up. ok is true for the right
// code; over when the sign-up is used up (expired, or one wrong code too
// many), and the browser must start again.
func (ps *pendingSignUps) check(email, code string) (ok, over bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e := ps.m[email]
	if !e.open(ps.now()) {
		return false, true
	}
	sum := sha256.Sum256([]byte(normaliseSignUpCode(code)))
	if e.hasCode && subtle.ConstantTimeCompare(sum[:], e.code[:]) == 1 {
		return true, false
	}
	e.attempts++
	return false, e.attempts >= SignUpAttempts
}

// done ends email's sign-up once its account exists. The entry stays,
// used up, until it expires, so that the address gets no new mail sooner
// than SignUpMailEvery.
func (ps *pendingSignUps) done(email string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if e := ps.m[email]; e != nil {
		e.attempts = SignUpAttempts
	}
}

// prune forgets the sign-ups that are over and whose address may be
// mailed again.
func (ps *pendingSignUps) prune(now time.Time) {
	for k, e := range ps.m {
		if !now.Before(e.expires) || (e.attempts >= SignUpAttempts && now.Sub(e.mailedAt) >= SignUpMailEvery) {
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
