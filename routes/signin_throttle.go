package routes

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// Sign-in throttling follows OWASP's "device cookies": failures are counted
// per account, never per typed login, so a username and its e-mail address
// share one count; a browser that once signed in to the account carries a
// signed device cookie and is throttled only by its own count, so someone
// guessing at the account from elsewhere slows themselves down without
// keeping its owner out; every other browser is throttled per account and
// per client address.

// deviceCookieMaxAge is how long a browser stays known after its last
// successful sign-in.
const deviceCookieMaxAge = 365 * 24 * time.Hour

// deviceIDLen is the size of a device cookie's value: the account's id and
// a random nonce naming the browser.
const deviceIDLen = 8 + 16

// device is the request's device cookie: the account it signed in to and
// the browser's nonce; ok is false without a valid one.
func (h *Handler) device(c *fiber.Ctx) (userID int64, nonce string, ok bool) {
	v, ok := h.cookies.device.get(c)
	if !ok || len(v) != deviceIDLen {
		return 0, "", false
	}
	return int64(binary.BigEndian.Uint64(v[:8])), hex.EncodeToString(v[8:]), true
}

// remember marks this browser as known to userID's account, keeping its
// nonce when it already was, with a fresh expiry.
func (h *Handler) rememberDevice(c *fiber.Ctx, userID int64) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, deviceIDLen), uint64(userID))
	if id, nonce, ok := h.device(c); ok && id == userID {
		b, _ := hex.DecodeString(nonce) // it came from hex.EncodeToString
		v = append(v, b...)
	} else {
		v = append(v, make([]byte, deviceIDLen-8)...)
		_, _ = rand.Read(v[8:]) // crypto/rand.Read never fails on supported platforms
	}
	return h.cookies.device.set(c, v, h.now())
}

// signInLimits are the throttle keys of one sign-in attempt.
type signInLimits struct {
	keys  []string // whose waits apply, and which a failure counts against
	clear string   // the key a right password clears
	code  string   // the key wrong second-factor codes count against, besides keys
}

// signInLimits picks the keys of an attempt at user's account (nil when
// the login names none). A browser with the account's device cookie is
// throttled by its own key only; any other by the account's and the
// client address's. An unknown login gets a key of its own that behaves
// exactly like an account's, so that waits never tell whether an account
// exists.
func (h *Handler) signInLimits(c *fiber.Ctx, user *store.User, login string) signInLimits {
	if user != nil {
		if id, nonce, ok := h.device(c); ok && id == user.ID {
			k := "device:" + nonce
			return signInLimits{keys: []string{k}, clear: k, code: "2fa:device:" + nonce}
		}
	}
	acc := h.loginThrottleKey(user, login)
	l := signInLimits{keys: []string{acc, "ip:" + h.clientIP(c)}, clear: acc}
	if user != nil {
		l.code = twoFactorThrottleKey(user.ID)
	}
	return l
}

// loginThrottleKey is the account's key, or for a login that names no
// account an HMAC of it under a key of this process, so that what people
// type (a password in the wrong field, say) is not kept in memory.
func (h *Handler) loginThrottleKey(user *store.User, login string) string {
	if user != nil {
		return accountThrottleKey(user.ID)
	}
	m := hmac.New(sha256.New, h.loginKey)
	m.Write([]byte(strings.ToLower(login)))
	return "login:" + hex.EncodeToString(m.Sum(nil))
}

// accountThrottleKey counts failed sign-ins at an account from browsers
// that never signed in to it.
func accountThrottleKey(userID int64) string {
	return "account:" + strconv.FormatInt(userID, 10)
}
