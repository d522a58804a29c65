package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pcmt/cli"
	"pcmt/config"
	"pcmt/monitor/smtptest"
)

// signUpMail is the mail server of tests that sign users up: sign-up mails
// a code to the address first, so it needs one.
type signUpMail struct {
	*smtptest.Server
}

func newSignUpMail(t *testing.T) *signUpMail {
	return &signUpMail{smtptest.Start(t, smtptest.SMTPS)}
}

// opts trusts the server's certificate.
func (m *signUpMail) opts() cli.ServeOptions { return cli.ServeOptions{MailTLS: m.ClientTLS()} }

// open opens registration with the mailer pointed at the server.
func (m *signUpMail) open(c *config.Config) {
	c.Registration.Allowed = true
	c.Mailer = m.Mailer("smtps")
}

var signUpCodeRe = regexp.MustCompile(`\b\d{5}-\d{5}\b`)

// code waits for the newest sign-up code mailed to address.
func (m *signUpMail) code(t *testing.T, address string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		msgs := m.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].To == address {
				if code := signUpCodeRe.FindString(string(msgs[i].Data)); code != "" {
					return code
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign-up code mailed to %s", address)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signUp signs a new user up through both sign-up forms, reading the code
// from the mail, and leaves the browser on the dashboard.
func (m *signUpMail) signUp(t *testing.T, b *tab, username, address, password string) {
	t.Helper()
	b.open("/signup")
	b.assertClean()
	b.do(chromedp.SendKeys(chromedp.ID("email"), address))
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`#signup-form button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("after the address: status %d", got)
	}
	requireLocation(t, b, "/signup/code")
	if got := b.text(`[data-testid="signup-sent"]`); !strings.Contains(got, address) {
		t.Fatalf("the code page says %q", got)
	}
	b.assertClean()
	b.do(
		chromedp.SendKeys(chromedp.ID("code"), m.code(t, address)),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("new_password"), password),
		chromedp.SendKeys(chromedp.ID("new_password_confirm"), password),
	)
	// With htmx: HX-Redirect, and the dashboard loads as a whole page.
	if got := b.navigateBy(chromedp.Click(chromedp.CSS(`#signup-code-form button[type="submit"]`))); got != http.StatusOK {
		t.Fatalf("after sign-up: status %d", got)
	}
	requireLocation(t, b, "/dashboard")
}
