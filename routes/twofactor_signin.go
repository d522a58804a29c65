package routes

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/store"
	"pcmt/views"
)

// pendingSignInTTL is how long a sign-in waits for its second factor.
const pendingSignInTTL = 5 * time.Minute

// pendingSignIns are sign-ins whose password was right, waiting for the
// second factor. They live in memory only, because they hold the user's
// unwrapped key, which must never reach a cookie, the database or a log;
// the browser holds a random token naming its entry. A restart forgets
// them: the user types the password again. They stay here, not in
// accounts/, because they are the session's plumbing: a cookie's token,
// the throttle keys of the password step and the key the vault takes
// over; nothing of them reaches the store or the log.
type pendingSignIns struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[[32]byte]*pendingSignIn // by SHA-256 of the token
}

// pendingSignIn is one sign-in halfway through.
type pendingSignIn struct {
	userID int64
	// limits are the throttle keys the password step used, so that wrong
	// codes count against the same account, or the same known browser.
	limits   signInLimits
	identity *age.X25519Identity
	expires  time.Time
}

func newPendingSignIns(now func() time.Time) *pendingSignIns {
	return &pendingSignIns{now: now, entries: map[[32]byte]*pendingSignIn{}}
}

// add keeps p for pendingSignInTTL and returns the token that names it.
func (ps *pendingSignIns) add(p pendingSignIn) []byte {
	token := make([]byte, 32)
	_, _ = rand.Read(token) // crypto/rand.Read never fails on supported platforms
	now := ps.now()
	p.expires = now.Add(pendingSignInTTL)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for k, e := range ps.entries {
		if !now.Before(e.expires) {
			delete(ps.entries, k)
		}
	}
	ps.entries[sha256.Sum256(token)] = &p
	return token
}

// get returns the live entry of token.
func (ps *pendingSignIns) get(token []byte) (pendingSignIn, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	k := sha256.Sum256(token)
	e, ok := ps.entries[k]
	if !ok {
		return pendingSignIn{}, false
	}
	if !ps.now().Before(e.expires) {
		delete(ps.entries, k)
		return pendingSignIn{}, false
	}
	return *e, true
}

// drop forgets the entry of token.
func (ps *pendingSignIns) drop(token []byte) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.entries, sha256.Sum256(token))
}

// dropUser forgets every pending sign-in of a user, and the expired ones.
func (ps *pendingSignIns) dropUser(userID int64) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := ps.now()
	for k, e := range ps.entries {
		if e.userID == userID || !now.Before(e.expires) {
			delete(ps.entries, k)
		}
	}
}

// pendingSignIn returns the request's pending sign-in and its token.
func (h *Handler) pendingSignIn(c *fiber.Ctx) (pendingSignIn, []byte, bool) {
	token, ok := h.cookies.pending.get(c)
	if !ok {
		return pendingSignIn{}, nil, false
	}
	p, ok := h.pendingSignIns.get(token)
	return p, token, ok
}

// passwordProven continues a sign-in whose password was right: straight
// into a session, or, when the user has two-factor sign-in on, to the
// page that asks for the code. No session exists until then.
func (h *Handler) passwordProven(c *fiber.Ctx, user *store.User, limits signInLimits, identity *age.X25519Identity) error {
	on, err := h.accounts.TwoFactorOn(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	if !on {
		return h.finishSignIn(c, user, identity)
	}
	token := h.pendingSignIns.add(pendingSignIn{userID: user.ID, limits: limits, identity: identity})
	if err := h.cookies.pending.set(c, token, h.now()); err != nil {
		return err
	}
	return redirect(c, "/signin/2fa")
}

// showSignInTwoFactor asks for the code of a pending sign-in.
func (h *Handler) showSignInTwoFactor(c *fiber.Ctx) error {
	if _, _, ok := h.pendingSignIn(c); !ok {
		return h.restartSignIn(c)
	}
	return render(c, fiber.StatusOK, views.SignInTwoFactor(h.page(c, "Two-factor sign-in"), views.TwoFactorSignInForm{}))
}

// restartSignIn sends a browser whose pending sign-in is gone (expired,
// forgotten at a restart, or never there) back to the password.
func (h *Handler) restartSignIn(c *fiber.Ctx) error {
	h.cookies.pending.clear(c)
	h.flash(c, views.FlashInfo, "Please sign in again.")
	return redirect(c, "/signin")
}

// twoFactorThrottleKey counts wrong codes for a user from browsers that
// never signed in to the account (a known browser has a key of its own,
// see signInLimits). Unlike the account key it is not cleared by a right
// password, so that someone who has the password can't reset the count
// between guesses at the code.
func twoFactorThrottleKey(userID int64) string {
	return "2fa:" + strconv.FormatInt(userID, 10)
}

// signInTwoFactor checks the code of a pending sign-in: a TOTP code, once
// per time step, or an unused recovery code. Wrong codes are throttled and
// logged like wrong passwords.
func (h *Handler) signInTwoFactor(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, token, ok := h.pendingSignIn(c)
	if !ok {
		return h.restartSignIn(c)
	}
	user, err := h.store.User(ctx, p.userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && user.Disabled) {
		h.pendingSignIns.drop(token)
		return h.restartSignIn(c)
	}
	if err != nil {
		return err
	}
	form := views.TwoFactorSignInForm{Errors: views.FieldErrors{}}
	page := func(status int) error {
		return render(c, status, views.SignInTwoFactor(h.page(c, "Two-factor sign-in"), form))
	}

	keys := append(append([]string{}, p.limits.keys...), p.limits.code)
	if wait := h.throttle.Wait(keys...); wait > 0 {
		h.record(c, user.ID, 0, store.EventSignInThrottled, "two-factor code")
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds()+0.999)))
		form.Message = fmt.Sprintf("Too many wrong codes. Wait %s and try again.", humanDuration(wait))
		return page(fiber.StatusTooManyRequests)
	}

	input := c.FormValue("code")
	code, isTOTP := account.ParseTOTPCode(input)
	recovery, isRecovery := account.ParseRecoveryCode(input)
	if !isTOTP && !isRecovery {
		form.Errors["code"] = "Enter the 6-digit code from your app, or a recovery code."
		return page(fiber.StatusUnprocessableEntity)
	}

	var right, byRecovery bool
	var left int
	if isTOTP {
		right, err = h.accounts.VerifyTwoFactor(ctx, h.self(c, user.ID), code)
	} else {
		right, left, err = h.accounts.UseRecoveryCode(ctx, h.self(c, user.ID), recovery)
		byRecovery = true
	}
	if err != nil {
		return err
	}
	if !right {
		h.throttle.Fail(keys...)
		h.record(c, user.ID, 0, store.EventSignInFailed, "wrong two-factor code")
		form.Errors["code"] = "This code is not right, or it was used already."
		return page(fiber.StatusUnprocessableEntity)
	}

	h.throttle.Succeed(p.limits.clear)
	h.throttle.Succeed(p.limits.code)
	h.pendingSignIns.drop(token)
	h.cookies.pending.clear(c)
	if byRecovery {
		kind := views.FlashInfo
		if left <= 3 {
			kind = views.FlashError
		}
		h.flash(c, kind, "You signed in with a recovery code; "+plural(left, "code is", "codes are")+
			" left. Make new ones under Settings → Two-factor sign-in.")
	}
	return h.finishSignIn(c, user, p.identity)
}
