package routes

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"rsc.io/qr"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/store"
)

const tfPassword = "correct horse battery"

// tfClock pins the clock of an app, so that tests choose which time step
// a code belongs to.
type tfClock struct{ now time.Time }

func (c *tfClock) step() int64 { return account.TOTPStep(c.now) }

func newTwoFactorApp(t *testing.T) (*testApp, *tfClock) {
	t.Helper()
	a := newTestApp(t, nil)
	clock := &tfClock{now: time.Unix(1_800_000_000, 0)}
	a.h.now = func() time.Time { return clock.now }
	return a, clock
}

// enrolment is what a user saw while turning two-factor sign-in on.
type enrolment struct {
	secret []byte
	codes  []string
	step   int64 // the step whose code confirmed the enrolment
}

// startTwoFactor posts the set-up form and returns the secret the page shows.
func startTwoFactor(t *testing.T, s *session) []byte {
	t.Helper()
	resp, body := s.post("/settings/2fa", "/settings/2fa/setup", url.Values{"current_password": {tfPassword}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set-up: %d\n%.500s", resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if doc.Find(`svg[data-testid="totp-qr"] path[d]`).Length() != 1 {
		t.Fatal("no QR code on the set-up page")
	}
	if n := doc.Find("[style], script:not([src])").Length(); n != 0 {
		t.Fatalf("%d inline styles or scripts: the CSP blocks them", n)
	}
	grouped := strings.TrimSpace(doc.Find(`[data-testid="totp-secret"]`).Text())
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(grouped, " ", ""))
	if err != nil || len(secret) != account.TOTPSecretSize {
		t.Fatalf("secret %q: %v", grouped, err)
	}
	return secret
}

// enableTwoFactor turns two-factor sign-in on for the browser's user.
func enableTwoFactor(t *testing.T, s *session, clock *tfClock) enrolment {
	t.Helper()
	e := enrolment{secret: startTwoFactor(t, s), step: clock.step()}
	resp, body := s.post("/settings/2fa", "/settings/2fa/enable", url.Values{"code": {account.TOTPCode(e.secret, e.step)}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enable: %d\n%.500s", resp.StatusCode, body)
	}
	parseHTML(t, body).Find(`[data-testid="recovery-code"]`).Each(func(_ int, li *goquery.Selection) {
		e.codes = append(e.codes, strings.TrimSpace(li.Text()))
	})
	if len(e.codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(e.codes))
	}
	return e
}

// wrongCode is a code that is none of the codes around the clock's step.
func wrongCode(secret []byte, clock *tfClock) string {
	for d := 0; ; d++ {
		c := fmt.Sprintf("%06d", d*111111%1000000)
		clash := false
		for s := clock.step() - 2; s <= clock.step()+2; s++ {
			clash = clash || account.TOTPCode(secret, s) == c
		}
		if !clash {
			return c
		}
	}
}

// passwordStep signs in with the password from a new browser and checks
// that it stops at the code page without a session.
func passwordStep(t *testing.T, a *testApp) *session {
	t.Helper()
	s := a.session()
	resp := s.signIn("alice", tfPassword)
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin/2fa" {
		t.Fatalf("password with two-factor on: %d → %s", resp.StatusCode, location(resp))
	}
	if !signedOut(t, s) {
		t.Fatal("the password alone signed in")
	}
	return s
}

func postCode(s *session, code string) (*http.Response, string) {
	return s.post("/signin/2fa", "/signin/2fa", url.Values{"code": {code}})
}

func events(t *testing.T, a *testApp, userID int64) map[string]int {
	t.Helper()
	evs, err := a.h.store.UserActivity(context.Background(), userID, 200)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.Event]++
	}
	return seen
}

func TestTwoFactorEnrolment(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	ctx := context.Background()
	alice, s := a.newMember("alice", tfPassword)

	if _, doc, _ := s.page("/settings"); doc.Find(`a[href="/settings/2fa"]`).Length() != 1 {
		t.Fatal("the settings overview does not link to two-factor sign-in")
	}
	code, doc, _ := s.page("/settings/2fa")
	if code != http.StatusOK || !strings.Contains(doc.Find(`[data-testid="totp-status"]`).Text(), "Off") {
		t.Fatalf("status page: %d", code)
	}

	// Set-up needs the password.
	resp, body := s.post("/settings/2fa", "/settings/2fa/setup", url.Values{"current_password": {"not my password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="setup-password-error"]`).Length() != 1 {
		t.Fatalf("set-up with a wrong password: %d", resp.StatusCode)
	}
	if _, err := a.h.store.TOTP(ctx, alice.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a wrong password started an enrolment: %v", err)
	}

	secret := startTwoFactor(t, s)
	// A wrong code does not turn it on, and the page shows the same key again.
	resp, body = s.post("/settings/2fa", "/settings/2fa/enable", url.Values{"code": {wrongCode(secret, clock)}})
	doc = parseHTML(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="code-error"]`).Length() != 1 {
		t.Fatalf("wrong confirm code: %d", resp.StatusCode)
	}
	if again := strings.ReplaceAll(doc.Find(`[data-testid="totp-secret"]`).Text(), " ", ""); again != account.EncodeTOTPSecret(secret) {
		t.Fatalf("the key changed after a wrong code: %q", again)
	}
	if row, err := a.h.store.TOTP(ctx, alice.ID); err != nil || row.Enabled() {
		t.Fatalf("a wrong code turned it on: %+v %v", row, err)
	}
	resp, _ = s.post("/settings/2fa", "/settings/2fa/enable", url.Values{"code": {"12345"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a 5-digit code: %d", resp.StatusCode)
	}

	// A restarted set-up makes a new key; the old one no longer confirms.
	secret2 := startTwoFactor(t, s)
	if bytes.Equal(secret, secret2) {
		t.Fatal("a new set-up reused the key")
	}
	if account.TOTPCode(secret, clock.step()) != account.TOTPCode(secret2, clock.step()) {
		resp, _ = s.post("/settings/2fa", "/settings/2fa/enable", url.Values{"code": {account.TOTPCode(secret, clock.step())}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("the replaced key's code: %d", resp.StatusCode)
		}
	}

	// An expired set-up must be started again.
	clock.now = clock.now.Add(accounts.EnrolmentTTL + time.Minute)
	resp, _ = s.post("/settings/2fa", "/settings/2fa/enable", url.Values{"code": {account.TOTPCode(secret2, clock.step())}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/settings/2fa" {
		t.Fatalf("expired set-up: %d → %s", resp.StatusCode, location(resp))
	}

	e := enableTwoFactor(t, s, clock)
	row, err := a.h.store.TOTP(ctx, alice.ID)
	if err != nil || !row.Enabled() || row.LastStep != e.step {
		t.Fatalf("after enabling: %+v %v", row, err)
	}
	if n, _ := a.h.store.RecoveryCodesLeft(ctx, alice.ID); n != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes stored", n)
	}
	_, doc, _ = s.page("/settings/2fa")
	status := doc.Find(`[data-testid="totp-status"]`).Text()
	if !strings.Contains(status, "On") || !strings.Contains(status, "10 recovery codes left") {
		t.Fatalf("status %q", status)
	}
	if strings.Contains(doc.Text(), e.codes[0]) {
		t.Fatal("the recovery codes are shown again")
	}
	if n := events(t, a, alice.ID)[store.EventTOTPEnabled]; n != 1 {
		t.Fatalf("%d totp_enabled events", n)
	}

	// While on, a new set-up is refused and the secret stays.
	resp, _ = s.post("/settings/2fa", "/settings/2fa/setup", url.Values{"current_password": {tfPassword}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("set-up while on: %d", resp.StatusCode)
	}
	if again, _ := a.h.store.TOTP(ctx, alice.ID); !bytes.Equal(again.Sealed, row.Sealed) {
		t.Fatal("a refused set-up replaced the secret")
	}
}

func TestTwoFactorSignIn(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	alice, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)

	// No pending sign-in: back to the password.
	resp, _ := a.session().do(httptestGet("/signin/2fa"))
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
		t.Fatalf("code page without a password: %d → %s", resp.StatusCode, location(resp))
	}

	b := passwordStep(t, a)
	if code, doc, _ := b.page("/signin/2fa"); code != http.StatusOK || doc.Find(`input[name="code"]`).Length() != 1 {
		t.Fatalf("code page: %d", code)
	}
	for _, c := range b.cookies {
		if strings.Contains(c.Value, tfPassword) {
			t.Fatalf("cookie %s holds the password", c.Name)
		}
	}
	failedBefore := events(t, a, alice.ID)[store.EventSignInFailed]
	resp, body := postCode(b, wrongCode(e.secret, clock))
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="code-error"]`).Length() != 1 {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	if resp, _ = postCode(b, "not a code"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("malformed code: %d", resp.StatusCode)
	}
	if !signedOut(t, b) {
		t.Fatal("a wrong code signed in")
	}
	if n := events(t, a, alice.ID)[store.EventSignInFailed]; n != failedBefore+1 {
		t.Fatalf("failed sign-ins %d → %d, want one more", failedBefore, n)
	}

	// The code of the step that confirmed the enrolment is spent; the next
	// step's code signs in, unlocking the user's key for the session.
	if resp, _ = postCode(b, account.TOTPCode(e.secret, e.step)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the enrolment's code replayed: %d", resp.StatusCode)
	}
	clock.now = clock.now.Add(account.TOTPPeriod)
	used := account.TOTPCode(e.secret, clock.step())
	resp, _ = postCode(b, used)
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("right code: %d → %s", resp.StatusCode, location(resp))
	}
	if signedOut(t, b) {
		t.Fatal("the right code did not sign in")
	}
	if _, err := a.h.vault.Identity(currentHash(t, a, b)); err != nil {
		t.Fatalf("the key is not unlocked after two-factor sign-in: %v", err)
	}
	if resp, _ := b.do(httptestGet("/signin/2fa")); resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("code page once signed in: %d → %s", resp.StatusCode, location(resp))
	}

	// The same code can't sign in a second browser (replay), even within
	// its 90 seconds; the next step's code can.
	c := passwordStep(t, a)
	if resp, _ = postCode(c, used); resp.StatusCode != http.StatusUnprocessableEntity || !signedOut(t, c) {
		t.Fatalf("replayed code: %d", resp.StatusCode)
	}
	if resp, _ = postCode(c, account.TOTPCode(e.secret, clock.step()+1)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("next step's code: %d", resp.StatusCode)
	}

	// A recovery code works once, however it is typed.
	clock.now = clock.now.Add(time.Hour)
	d := passwordStep(t, a)
	typed := strings.ToLower(strings.ReplaceAll(e.codes[3], "-", " "))
	if resp, _ = postCode(d, typed); resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("recovery code: %d → %s", resp.StatusCode, location(resp))
	}
	if _, doc, _ := d.page("/dashboard"); !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "9 codes are left") {
		t.Fatalf("no word of the codes left: %q", doc.Find(`[data-testid="flash"]`).Text())
	}
	f := passwordStep(t, a)
	if resp, _ = postCode(f, e.codes[3]); resp.StatusCode != http.StatusUnprocessableEntity || !signedOut(t, f) {
		t.Fatalf("recovery code used twice: %d", resp.StatusCode)
	}
	seen := events(t, a, alice.ID)
	if seen[store.EventRecoveryUsed] != 1 {
		t.Fatalf("recovery_code_used events: %v", seen)
	}
	if n, _ := a.h.store.RecoveryCodesLeft(context.Background(), alice.ID); n != account.RecoveryCodeCount-1 {
		t.Fatalf("%d recovery codes left", n)
	}

	// Another user's recovery code is no good.
	_, bobSession := a.newMember("bob", tfPassword)
	bob := enableTwoFactor(t, bobSession, clock)
	g := passwordStep(t, a)
	if resp, _ = postCode(g, bob.codes[0]); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bob's recovery code for alice: %d", resp.StatusCode)
	}
}

func TestTwoFactorSignInExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ps := newPendingSignIns(func() time.Time { return now })
	token := ps.add(pendingSignIn{userID: 1, limits: signInLimits{clear: accountThrottleKey(1)}})
	if p, ok := ps.get(token); !ok || p.userID != 1 || p.limits.clear != accountThrottleKey(1) {
		t.Fatalf("fresh entry: %+v %v", p, ok)
	}
	if _, ok := ps.get(append(bytes.Clone(token[:31]), token[31]^1)); ok {
		t.Fatal("another token found the entry")
	}
	now = now.Add(pendingSignInTTL)
	if _, ok := ps.get(token); ok {
		t.Fatal("the entry outlived its five minutes")
	}
	ps.add(pendingSignIn{userID: 2})
	if len(ps.entries) != 1 {
		t.Fatalf("%d entries: expired ones are not swept", len(ps.entries))
	}

	// Through the app: after five minutes the code page sends the browser
	// back to the password, even with the right code.
	a, clock := newTwoFactorApp(t)
	_, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)
	b := passwordStep(t, a)
	clock.now = clock.now.Add(pendingSignInTTL + time.Second)
	resp, _ := b.post("/signin", "/signin/2fa", url.Values{"code": {account.TOTPCode(e.secret, clock.step()+1)}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" || !signedOut(t, b) {
		t.Fatalf("expired pending sign-in: %d → %s", resp.StatusCode, location(resp))
	}
}

func TestTwoFactorThrottle(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	alice, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)
	now := time.Now()
	a.h.throttle = account.NewThrottle(func() time.Time { return now })

	b := passwordStep(t, a)
	wrong := wrongCode(e.secret, clock)
	for i := range a.h.throttle.Free + 1 {
		if resp, _ := postCode(b, wrong); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i+1, resp.StatusCode)
		}
	}
	right := account.TOTPCode(e.secret, clock.step()+1)
	resp, body := postCode(b, right)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many wrong codes") {
		t.Fatalf("throttled: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !signedOut(t, b) {
		t.Fatal("a throttled code signed in")
	}
	// The wrong codes count against the account's password too.
	if resp := a.session().signIn("alice", tfPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("password after many wrong codes: %d", resp.StatusCode)
	}

	// A right password clears the account's password count, not its code
	// count: knowing the password does not buy more guesses at the code.
	now = now.Add(a.h.throttle.Base + time.Second)
	c := passwordStep(t, a)
	if a.h.throttle.Wait("account:alice") != 0 {
		t.Fatal("the right password left the account throttled")
	}
	if resp, _ := postCode(c, wrong); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code after the wait: %d", resp.StatusCode)
	}
	if a.h.throttle.Wait(twoFactorThrottleKey(alice.ID)) == 0 {
		t.Fatal("the right password reset the count of wrong codes")
	}
	now = now.Add(a.h.throttle.Cap)
	if resp, _ := postCode(c, right); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right code after the wait: %d", resp.StatusCode)
	}
	if a.h.throttle.Wait(twoFactorThrottleKey(alice.ID)) != 0 {
		t.Fatal("a right code left the code count")
	}
	seen := events(t, a, alice.ID)
	if seen[store.EventSignInFailed] != a.h.throttle.Free+2 || seen[store.EventSignInThrottled] < 1 {
		t.Fatalf("activity: %v", seen)
	}
}

func TestTwoFactorDisableAndNewCodes(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	ctx := context.Background()
	alice, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)

	// New recovery codes need the password and replace the old ones.
	resp, body := s.post("/settings/2fa", "/settings/2fa/recovery", url.Values{"current_password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="recovery-password-error"]`).Length() != 1 {
		t.Fatalf("new codes with a wrong password: %d", resp.StatusCode)
	}
	resp, body = s.post("/settings/2fa", "/settings/2fa/recovery", url.Values{"current_password": {tfPassword}})
	var fresh []string
	parseHTML(t, body).Find(`[data-testid="recovery-code"]`).Each(func(_ int, li *goquery.Selection) {
		fresh = append(fresh, strings.TrimSpace(li.Text()))
	})
	if resp.StatusCode != http.StatusOK || len(fresh) != account.RecoveryCodeCount || fresh[0] == e.codes[0] {
		t.Fatalf("new codes: %d, %d codes", resp.StatusCode, len(fresh))
	}
	b := passwordStep(t, a)
	if resp, _ = postCode(b, e.codes[0]); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an old recovery code after new ones were made: %d", resp.StatusCode)
	}
	if resp, _ = postCode(b, fresh[0]); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a new recovery code: %d", resp.StatusCode)
	}

	// Turning it off needs the password too.
	resp, body = s.post("/settings/2fa", "/settings/2fa/disable", url.Values{"current_password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="disable-password-error"]`).Length() != 1 {
		t.Fatalf("disable with a wrong password: %d", resp.StatusCode)
	}
	if row, err := a.h.store.TOTP(ctx, alice.ID); err != nil || !row.Enabled() {
		t.Fatalf("a wrong password turned it off: %v", err)
	}
	resp, _ = s.post("/settings/2fa", "/settings/2fa/disable", url.Values{"current_password": {tfPassword}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/settings/2fa" {
		t.Fatalf("disable: %d → %s", resp.StatusCode, location(resp))
	}
	if _, err := a.h.store.TOTP(ctx, alice.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("secret kept after disabling: %v", err)
	}
	if n, _ := a.h.store.RecoveryCodesLeft(ctx, alice.ID); n != 0 {
		t.Fatalf("%d recovery codes kept after disabling", n)
	}
	seen := events(t, a, alice.ID)
	if seen[store.EventTOTPDisabled] != 1 || seen[store.EventRecoveryCodesReplaced] != 1 {
		t.Fatalf("activity: %v", seen)
	}
	// The password alone signs in again.
	if resp := a.session().signIn("alice", tfPassword); resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("sign-in after disabling: %d → %s", resp.StatusCode, location(resp))
	}
	// New recovery codes need two-factor sign-in on.
	if resp, _ = s.post("/settings/2fa", "/settings/2fa/recovery", url.Values{"current_password": {tfPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new codes while off: %d", resp.StatusCode)
	}
}

// TestTOTPSecretNeverStoredPlain: the database file (and its WAL) holds
// neither the TOTP secret, in any encoding, nor a recovery code.
func TestTOTPSecretNeverStoredPlain(t *testing.T) {
	a, clock := newTwoFactorApp(t)
	_, s := a.newMember("alice", tfPassword)
	pending := startTwoFactor(t, s)
	e := enableTwoFactor(t, s, clock)
	b := passwordStep(t, a)
	if resp, _ := postCode(b, e.codes[0]); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", resp.StatusCode)
	}

	var needles [][]byte
	for _, secret := range [][]byte{pending, e.secret} {
		needles = append(needles, secret, []byte(account.EncodeTOTPSecret(secret)),
			[]byte(strings.ToLower(account.EncodeTOTPSecret(secret))), []byte(account.GroupTOTPSecret(secret)))
	}
	for _, c := range e.codes {
		canon, _ := account.ParseRecoveryCode(c)
		needles = append(needles, []byte(c), []byte(canon))
	}
	matches, _ := filepath.Glob(a.h.store.Path() + "*")
	if len(matches) < 2 {
		t.Fatalf("database files %v", matches)
	}
	for _, f := range matches {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Fatalf("%s holds %q in plain text", filepath.Base(f), n)
			}
		}
	}
	for _, n := range needles {
		if strings.Contains(a.log.String(), string(n)) {
			t.Fatalf("the log holds %q", n)
		}
	}
}

// TestTOTPSecretSurvivesKeyRotation: after the cookie keys rotate, the old
// key still opens the secret, and the next sign-in seals it anew under the
// new key.
func TestTOTPSecretSurvivesKeyRotation(t *testing.T) {
	ctx := context.Background()
	d, logs := testDeps(t, nil)
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	clock := &tfClock{now: time.Unix(1_800_000_000, 0)}
	a.h.now = func() time.Time { return clock.now }
	alice, s := a.newMember("alice", tfPassword)
	e := enableTwoFactor(t, s, clock)
	before, err := a.h.store.TOTP(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The restart after the rotation: a new cookie encryption key, the old
	// one kept as OldCookieEncr, the same database.
	newKey := testKeys().CookieEncr
	rotated := d
	rotated.Keys.CookieEncr, rotated.Keys.OldCookieEncr = newKey, d.Keys.CookieEncr
	app, h, err = newApp(rotated)
	if err != nil {
		t.Fatal(err)
	}
	a = &testApp{t: t, app: app, h: h, log: logs, deps: rotated}
	a.h.now = func() time.Time { return clock.now }
	b := passwordStep(t, a)
	if resp, _ := postCode(b, account.TOTPCode(e.secret, clock.step()+1)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in after the rotation: %d", resp.StatusCode)
	}
	after, err := a.h.store.TOTP(ctx, alice.ID)
	if err != nil || bytes.Equal(after.Sealed, before.Sealed) {
		t.Fatalf("not sealed anew: %v", err)
	}
	secret, stale, err := account.NewSecretBox(newKey).Open(alice.ID, after.Sealed)
	if err != nil || stale || !bytes.Equal(secret, e.secret) {
		t.Fatalf("the new key alone does not open the secret: %v", err)
	}
}

// TestQRCodePath: the SVG path draws exactly the modules of the QR code.
func TestQRCodePath(t *testing.T) {
	text := account.TOTPURI("pcmt", "alice", bytes.Repeat([]byte{0x5a}, account.TOTPSecretSize))
	want, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	got, err := qrCode(text)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != want.Size+2*qrQuietZone {
		t.Fatalf("size %d, want %d", got.Size, want.Size+2*qrQuietZone)
	}
	dark := make([][]bool, got.Size)
	for i := range dark {
		dark[i] = make([]bool, got.Size)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(got.Path, "z"), "z") {
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(seg, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 || w < 1 {
			t.Fatalf("segment %q: %v", seg, err)
		}
		for i := x; i < x+w; i++ {
			if dark[y][i] {
				t.Fatalf("module %d,%d drawn twice", i, y)
			}
			dark[y][i] = true
		}
	}
	for y := range got.Size {
		for x := range got.Size {
			if dark[y][x] != want.Black(x-qrQuietZone, y-qrQuietZone) {
				t.Fatalf("module %d,%d: drawn %v", x, y, dark[y][x])
			}
		}
	}
}
