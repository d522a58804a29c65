package routes

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/accounts"
	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// openSignUp opens registration, with the mailer it needs (mail is only
// queued here: no outbox runs).
func openSignUp(c *config.Config) {
	c.Registration.Allowed = true
	c.Mailer = config.Mailer{Enabled: true, Protocol: "smtps", SMTPHost: "mail.example.org", SMTPPort: 465,
		From: "pcmt@example.org"}
}

// mailTo returns the mails queued to address, oldest first.
func (a *testApp) mailTo(address string) []store.OutboxMail {
	a.t.Helper()
	due, err := a.h.store.DueMail(context.Background(), time.Now().Add(time.Hour), 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []store.OutboxMail
	for _, m := range due {
		if m.To == address {
			out = append(out, m)
		}
	}
	return out
}

var codeInMail = regexp.MustCompile(`\b\d{5}-\d{5}\b`)

// signUpCode is the code of the newest mail to address.
func (a *testApp) signUpCode(address string) string {
	a.t.Helper()
	mails := a.mailTo(address)
	if len(mails) == 0 {
		a.t.Fatalf("no mail to %s", address)
	}
	code := codeInMail.FindString(mails[len(mails)-1].BodyText)
	if code == "" {
		a.t.Fatalf("no code in the mail to %s:\n%s", address, mails[len(mails)-1].BodyText)
	}
	return code
}

// codeForm is the second sign-up form filled in.
func codeForm(code, username, password string) url.Values {
	return url.Values{"code": {code}, "username": {username}, "new_password": {password}, "new_password_confirm": {password}}
}

func TestSignUp(t *testing.T) {
	closed := newTestApp(t, nil)
	for _, path := range []string{"/signup", "/signup/code"} {
		if resp, _ := closed.get(path); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s while closed: %d", path, resp.StatusCode)
		}
		if resp, _ := closed.session().postFormWithToken(path, url.Values{"email": {"eve@example.org"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("POST %s while closed: %d", path, resp.StatusCode)
		}
	}

	a := newTestApp(t, openSignUp)
	a.addUser("taken", store.RoleUser, "somebody's password", false)
	s := a.session()
	if resp, body := s.post("/signup", "/signup", url.Values{"email": {"not-an-address"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		parseHTML(t, body).Find(`[data-testid="email-error"]`).Length() != 1 {
		t.Fatalf("a bad address: %d", resp.StatusCode)
	}
	if resp, _ := s.do(httptestGet("/signup/code")); resp.StatusCode != http.StatusSeeOther || location(resp) != "/signup" {
		t.Fatalf("the code form before any address: %d → %s", resp.StatusCode, location(resp))
	}
	resp, _ := s.post("/signup", "/signup", url.Values{"email": {" Bob@Example.org "}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signup/code" {
		t.Fatalf("sign-up: %d → %s", resp.StatusCode, location(resp))
	}
	code := a.signUpCode("bob@example.org")
	status, doc, _ := s.page("/signup/code")
	if status != http.StatusOK || !strings.Contains(doc.Find(`[data-testid="signup-sent"]`).Text(), "bob@example.org") {
		t.Fatalf("code page: %d", status)
	}

	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{codeForm("", "bob", "good passphrase"), "code"},
		{codeForm("12345", "bob", "good passphrase"), "code"},
		{codeForm(code, "a", "good passphrase"), "username"},
		{codeForm(code, "bob", "12345678"), "new_password"},
		{codeForm(code, "Taken", "good passphrase"), "username"},
		{url.Values{"code": {code}, "username": {"bob"}, "new_password": {"good passphrase"}, "new_password_confirm": {"other passphrase"}}, "new_password_confirm"},
		{codeForm("00000-00000", "bob", "good passphrase"), "code"},
	} {
		resp, body := s.post("/signup/code", "/signup/code", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`[data-testid="`+tc.field+`-error"]`).Length() != 1 {
			t.Fatalf("%v: %d, no message beside %s:\n%s", tc.form, resp.StatusCode, tc.field, body)
		}
	}
	if n, _ := a.h.store.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d users after refused sign-ups", n)
	}
	// The code works typed without its dash, too.
	resp, _ = s.post("/signup/code", "/signup/code", codeForm(strings.ReplaceAll(code, "-", " "), "bob", "good passphrase"))
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/dashboard" {
		t.Fatalf("sign-up with the code: %d → %s", resp.StatusCode, location(resp))
	}
	u, err := a.h.store.UserByLogin(context.Background(), "bob")
	if err != nil || u.Email != "bob@example.org" || u.Role != store.RoleUser || u.MustChangePassword || !u.HasVault() {
		t.Fatalf("new user %+v, %v", u, err)
	}
	if code, _, _ := s.page("/dashboard"); code != 200 {
		t.Fatalf("dashboard after sign-up: %d", code)
	}
	if seen := events(t, a, u.ID); seen[store.EventSignUp] != 1 || seen[store.EventSignIn] != 1 {
		t.Fatalf("activity: %v", seen)
	}
	// The code is used up.
	again := a.session()
	again.post("/signup", "/signup", url.Values{"email": {"bob@example.org"}})
	if resp, _ := again.do(httptestGet("/signup/code")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a second browser joining a finished sign-up: %d", resp.StatusCode)
	}
}

// TestSignUpDoesNotTellTakenAddresses: everything an attacker sees of a
// sign-up with an address that has an account (statuses, headers, cookies,
// pages, and what wrong codes get) is what a free address gets; only the
// address's owner learns of it, by mail.
func TestSignUpDoesNotTellTakenAddresses(t *testing.T) {
	a := newTestApp(t, openSignUp)
	a.addUser("owner", store.RoleUser, "the owner's password", false)
	const taken, free = "owner@example.org", "freed@example.org" // the same length
	requestID := regexp.MustCompile(`[0-9a-f]{16,}`)
	record := func(address string) []string {
		s := a.session()
		var out []string
		note := func(resp *http.Response, body string) {
			h := resp.Header.Clone()
			for _, k := range []string{"Date", "Set-Cookie", "X-Request-Id"} {
				h.Del(k)
			}
			var keys []string
			for k, v := range h {
				keys = append(keys, k+": "+strings.Join(v, ", "))
			}
			slices.Sort(keys)
			var cookies []string
			for _, c := range resp.Cookies() {
				cookies = append(cookies, c.Name+" path="+c.Path+" len="+strconv.Itoa(len(c.Value))+" maxage="+strconv.Itoa(c.MaxAge)+
					" httponly="+strconv.FormatBool(c.HttpOnly)+" samesite="+strconv.Itoa(int(c.SameSite)))
			}
			body = strings.ReplaceAll(body, address, "ADDRESS")
			body = regexp.MustCompile(`(name="csrf-token" content="|name="csrf" value="|X-CSRF-Token&#34;:&#34;)[^"&]*`).ReplaceAllString(body, "${1}TOKEN")
			body = requestID.ReplaceAllString(body, "ID")
			out = append(out, strconv.Itoa(resp.StatusCode)+" "+resp.Header.Get("Location")+"\n"+strings.Join(keys, "\n")+"\n"+strings.Join(cookies, "\n")+"\n"+body)
		}
		_, _, token := s.page("/signup")
		form := url.Values{"csrf": {token}, "email": {address}}
		note(s.postForm("/signup", form))
		note(s.do(httptestGet("/signup/code")))
		for i := range accounts.SignUpAttempts {
			note(s.post("/signup/code", "/signup/code", codeForm("1234"+strconv.Itoa(i)+"-00000", "newcomer"+strconv.Itoa(i), "a fine long passphrase")))
		}
		note(s.do(httptestGet("/signup")))
		return out
	}
	gotTaken, gotFree := record(taken), record(free)
	if len(gotTaken) != len(gotFree) {
		t.Fatalf("%d steps against %d", len(gotTaken), len(gotFree))
	}
	for i := range gotTaken {
		if gotTaken[i] != gotFree[i] {
			t.Fatalf("step %d differs:\n--- taken address:\n%s\n--- free address:\n%s", i, gotTaken[i], gotFree[i])
		}
	}
	if n, _ := a.h.store.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d accounts after the attempts", n)
	}
	// The owner hears of it; the free address got its code.
	if mails := a.mailTo(taken); len(mails) != 1 || !strings.Contains(mails[0].Subject, "tried to sign up") || codeInMail.MatchString(mails[0].BodyText) {
		t.Fatalf("mail to the taken address: %+v", mails)
	}
	if mails := a.mailTo(free); len(mails) != 1 || !codeInMail.MatchString(mails[0].BodyText) {
		t.Fatalf("mail to the free address: %+v", mails)
	}
	// Asking again at once mails nobody again.
	for _, address := range []string{taken, free} {
		a.session().post("/signup", "/signup", url.Values{"email": {address}})
		if n := len(a.mailTo(address)); n != 1 {
			t.Fatalf("%s got %d mails after asking twice in a row", address, n)
		}
	}
}

// TestSignUpDoesNoCostlyWorkUntilTheCode: no password hash and no key is
// made for a taken address, a wrong code or a taken username; only the
// right code with a free username costs them.
func TestSignUpDoesNoCostlyWorkUntilTheCode(t *testing.T) {
	a := newTestApp(t, openSignUp)
	a.addUser("owner", store.RoleUser, "the owner's password", false)
	cost := func() [2]int64 { return [2]int64{a.deps.Hasher.Hashes(), a.h.vault.Runs()} }
	before := cost()

	owner := a.session()
	owner.post("/signup", "/signup", url.Values{"email": {"owner@example.org"}})
	owner.post("/signup/code", "/signup/code", codeForm("12345-67890", "newcomer", "a fine long passphrase"))

	s := a.session()
	s.post("/signup", "/signup", url.Values{"email": {"new@example.org"}})
	code := a.signUpCode("new@example.org")
	s.post("/signup/code", "/signup/code", codeForm("00000-00000", "newcomer", "a fine long passphrase"))
	if resp, _ := s.post("/signup/code", "/signup/code", codeForm(code, "Owner", "a fine long passphrase")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a taken username: %d", resp.StatusCode)
	}
	if got := cost(); got != before {
		t.Fatalf("hashes and key runs went from %v to %v before the code and a free username", before, got)
	}
	if resp, _ := s.post("/signup/code", "/signup/code", codeForm(code, "newcomer", "a fine long passphrase")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", resp.StatusCode)
	}
	if got := cost(); got != [2]int64{before[0] + 1, before[1] + 1} {
		t.Fatalf("a sign-up cost %v hashes and key runs, want one of each", [2]int64{got[0] - before[0], got[1] - before[1]})
	}
}

// TestSignUpIsAtomic: when the activity log refuses the sign-up's entry,
// the request fails and no account is left, with or without its key.
func TestSignUpIsAtomic(t *testing.T) {
	a := newTestApp(t, openSignUp)
	a.allowErrors("refused by the test", "route=/signup/code status=500")
	storetest.RefuseActivity(t, a.h.store, store.EventSignUp)
	s := a.session()
	s.post("/signup", "/signup", url.Values{"email": {"new@example.org"}})
	resp, _ := s.post("/signup/code", "/signup/code", codeForm(a.signUpCode("new@example.org"), "newcomer", "a fine long passphrase"))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("sign-up with its log entry refused: %d", resp.StatusCode)
	}
	if n, _ := a.h.store.CountUsers(context.Background()); n != 0 {
		t.Fatalf("%d accounts after a sign-up that failed", n)
	}
	if !signedOut(t, s) {
		t.Fatal("signed in after a failed sign-up")
	}
}
