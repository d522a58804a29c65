package routes

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestLandingPage(t *testing.T) {
	a := newTestApp(t, nil)
	resp, body := a.get("/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("landing: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc := parseHTML(t, body)
	if href, _ := doc.Find(`[data-testid="cta-signin"]`).Attr("href"); href != "/signin" {
		t.Fatalf("sign-in link %q", href)
	}
	if cfg, _ := doc.Find(`meta[name="htmx-config"]`).Attr("content"); !strings.Contains(cfg, `"includeIndicatorCSS":false`) {
		t.Fatalf("htmx may inject styles: %q", cfg)
	}
	headers, _ := doc.Find("body").Attr("hx-headers:inherited")
	token, _ := doc.Find(`meta[name="csrf-token"]`).Attr("content")
	if token == "" || headers != `{"X-CSRF-Token":"`+token+`"}` {
		t.Fatalf("body hx-headers:inherited = %q, token %q", headers, token)
	}
	if n := doc.Find("[style], script:not([src])").Length(); n != 0 {
		t.Fatalf("%d inline styles or scripts: the CSP blocks them", n)
	}
}

func TestSignInFormErrors(t *testing.T) {
	a := newTestApp(t, nil)
	s := a.session()
	_, _, token := s.page("/signin")

	post := func(form url.Values, htmx bool) (*http.Response, string) {
		form.Set("csrf", token)
		req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		return s.do(req)
	}

	for _, htmx := range []bool{false, true} {
		resp, body := post(url.Values{"username": {"  "}, "password": {""}}, htmx)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("htmx=%v empty form: %d", htmx, resp.StatusCode)
		}
		doc := parseHTML(t, body)
		if doc.Find(`[data-testid="username-error"]`).Length() != 1 || doc.Find(`[data-testid="password-error"]`).Length() != 1 {
			t.Fatalf("htmx=%v: messages beside the fields missing:\n%.600s", htmx, body)
		}
		if full := strings.Contains(body, "<html"); full == htmx {
			t.Fatalf("htmx=%v: full page = %v", htmx, full)
		}

		resp, body = post(url.Values{"username": {"alice"}, "password": {"hunter2 hunter2"}}, htmx)
		doc = parseHTML(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="form-error"]`).Length() != 1 {
			t.Fatalf("htmx=%v wrong credentials: %d\n%.600s", htmx, resp.StatusCode, body)
		}
		if v, _ := doc.Find(`input[name="username"]`).Attr("value"); v != "alice" {
			t.Fatalf("username not kept: %q", v)
		}
		if v, _ := doc.Find(`input[name="password"]`).Attr("value"); v != "" {
			t.Fatal("the password was echoed back")
		}
	}
}

func TestHostileInputIsEscaped(t *testing.T) {
	a := newTestApp(t, nil)
	s := a.session()
	_, _, token := s.page("/signin")
	evil := `"><script>alert(1)</script>`
	_, body := s.postForm("/signin", url.Values{"csrf": {token}, "username": {evil}, "password": {"x"}})
	if strings.Contains(body, "<script>alert(1)") {
		t.Fatal("the username was rendered unescaped")
	}
	if v, _ := parseHTML(t, body).Find(`input[name="username"]`).Attr("value"); v != evil {
		t.Fatalf("the username round-trips as %q", v)
	}
}
