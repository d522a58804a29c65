package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP is HMAC-SHA-1; authenticator apps expect it
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"net/url"
	"strings"
	"time"
)

// TOTP after RFC 6238 with the parameters every authenticator app
// understands: HMAC-SHA-1, 6 digits, 30-second steps.
const (
	TOTPDigits     = 6
	TOTPPeriod     = 30 * time.Second
	TOTPSecretSize = 20 // 160 bits, the size RFC 4226 recommends
)

// totpSkew is how many steps before and after the current one a code is
// still accepted: clocks drift and people type slowly.
const totpSkew = 1

// secretEncoding is the base32 authenticator apps read: RFC 4648, no padding.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh random TOTP secret.
func NewTOTPSecret() []byte {
	b := make([]byte, TOTPSecretSize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// EncodeTOTPSecret is the secret in base32, as an otpauth URI carries it.
func EncodeTOTPSecret(secret []byte) string {
	return secretEncoding.EncodeToString(secret)
}

// GroupTOTPSecret is the base32 secret in groups of four characters, for
// typing it into an app by hand.
func GroupTOTPSecret(secret []byte) string {
	return group(EncodeTOTPSecret(secret), 4, " ")
}

// TOTPURI is the otpauth:// URI of Google Authenticator's key URI format:
// what the QR code of an enrolment holds.
func TOTPURI(issuer, accountName string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", EncodeTOTPSecret(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + accountName, RawQuery: q.Encode()}
	return u.String()
}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 {
	return t.Unix() / int64(TOTPPeriod/time.Second)
}

// TOTPCode is the 6-digit code of secret for a time step.
func TOTPCode(secret []byte, step int64) string {
	return hotp(secret, uint64(step), TOTPDigits)
}

// hotp is RFC 4226's HOTP value of counter, in digits decimal digits.
func hotp(secret []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	_ = binary.Write(mac, binary.BigEndian, counter) // a hash never fails to write
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	v %= mod
	out := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + v%10)
		v /= 10
	}
	return string(out)
}

// VerifyTOTP checks code against secret at time now, accepting the step
// before and after the current one. A step at or before lastUsed is refused
// even when its code matches, so that a code works once. It returns the step
// that matched; the caller stores it as the new lastUsed.
func VerifyTOTP(secret []byte, code string, now time.Time, lastUsed int64) (int64, bool) {
	if len(code) != TOTPDigits {
		return 0, false
	}
	current := TOTPStep(now)
	matched, found := int64(0), 0
	// Every candidate is computed and compared in constant time, so that
	// the time taken does not tell which step matched.
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		eq := subtle.ConstantTimeCompare([]byte(TOTPCode(secret, step)), []byte(code))
		if eq == 1 && found == 0 && step > lastUsed {
			matched, found = step, 1
		}
	}
	return matched, found == 1
}

// ParseTOTPCode accepts what people type for a 6-digit code: digits, maybe
// split by spaces or a dash. It returns the digits alone.
func ParseTOTPCode(s string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	if b.Len() != TOTPDigits {
		return "", false
	}
	return b.String(), true
}

// Recovery codes stand in for the authenticator app once each. They are 16
// base32 characters (80 random bits), shown in groups of four.
const (
	RecoveryCodeCount = 10
	recoveryCodeLen   = 16
)

// NewRecoveryCodes returns RecoveryCodeCount fresh codes as people see them
// (XXXX-XXXX-XXXX-XXXX).
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, recoveryCodeLen*5/8)
		_, _ = rand.Read(b)
		codes[i] = group(secretEncoding.EncodeToString(b), 4, "-")
	}
	return codes
}

// ParseRecoveryCode accepts a recovery code as people type it: any case,
// with or without dashes and spaces. It returns the code in canonical form
// (16 upper-case characters).
func ParseRecoveryCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= '2' && r <= '7':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	if b.Len() != recoveryCodeLen {
		return "", false
	}
	return b.String(), true
}

// RecoveryDigest is what the database keeps of a recovery code: the SHA-256
// of its canonical form. 80 random bits make a salt or a slow hash needless.
func RecoveryDigest(code string) []byte {
	if c, ok := ParseRecoveryCode(code); ok {
		code = c
	}
	sum := sha256.Sum256([]byte(code))
	return sum[:]
}

// group splits s into runs of n characters joined by sep.
func group(s string, n int, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}
