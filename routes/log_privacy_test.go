package routes

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
)

// routeParam is a parameter of a route template.
var routeParam = regexp.MustCompile(`:[a-z]+`)

// TestAPITermsNeverLogged sends search terms to every route of the APIs
// (/api/, /range/): in every path parameter, in the query and in a body,
// without a token, with a wrong one and with a valid one with every scope,
// while HIBP answers and while it fails; and to mistyped API paths. The
// log must not hold a term in any spelling, nor its digests.
func TestAPITermsNeverLogged(t *testing.T) {
	fake := newFakeHIBP(t)
	d, logs := testDeps(t, func(c *config.Config) { c.API.TokenRateLimit = 0 })
	d.HIBP = fake.Client(t, "test-key")
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	seedSearch(t, a)
	u, _ := a.newMember("ursula", "a quiet morning walk")
	valid := storeToken(t, a, u.ID, time.Hour, store.Scopes()...)
	wrong := "pcmt_" + strings.Repeat("a", len(valid)-len("pcmt_"))
	// Terms the local data holds, HIBP's fake knows, and nobody does.
	terms := []string{breachedEmail, hibpEmail, breachedUsername, "Needle.Term+x@Example.net", "needle_term_77"}

	send := func(method, path string, term, token string) int {
		t.Helper()
		var req *http.Request
		if method == http.MethodPost {
			req = httptest.NewRequest(method, path, strings.NewReader(`{"value": "`+term+`"}`))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req = httptest.NewRequest(method, path, nil)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("hibp-api-key", token)
		}
		resp, _ := a.do(req)
		return resp.StatusCode
	}
	reached := map[string]bool{} // routes whose handler the valid token reached
	for _, status := range []int{0, http.StatusInternalServerError} {
		fake.Fail(status)
		for _, r := range a.h.routes() {
			if !strings.HasPrefix(r.path, "/api/") && !strings.HasPrefix(r.path, "/range/") {
				continue
			}
			for _, term := range terms {
				path := routeParam.ReplaceAllLiteralString(r.path, url.PathEscape(term))
				q := url.QueryEscape(term)
				path += "?q=" + q + "&type=account&domain=" + q + "&account=" + q + "&truncateResponse=false"
				for _, token := range []string{"", wrong, valid} {
					code := send(r.method, path, term, token)
					if token == valid && code != http.StatusUnauthorized && code != http.StatusForbidden {
						reached[r.method+" "+r.path] = true
					}
				}
			}
		}
	}
	for _, term := range terms {
		for _, mistyped := range []string{"/api/v3/breachedacount/", "/api/v1/search/", "/range/", "/" + url.PathEscape(term) + "/"} {
			send(http.MethodGet, mistyped+url.PathEscape(term)+"?q="+url.QueryEscape(term), term, valid)
		}
	}
	for _, route := range []string{"GET /api/v3/breachedaccount/:account", "GET /api/v1/search", "POST /api/v1/watchlist"} {
		if !reached[route] {
			t.Errorf("%s refused the valid token: the test does not reach its handler", route)
		}
	}

	log := a.log.String()
	for _, want := range []string{"route=/api/v3/breachedaccount/:account", "route=/api/v1/watchlist/:id", "route=/range/:prefix", "hibp lookup failed", "status=404"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q: the requests were not logged as expected", want)
		}
	}
	for _, term := range terms {
		local, _, _ := strings.Cut(term, "@")
		leaks := []string{term, strings.ToLower(term), url.QueryEscape(term), url.PathEscape(term),
			strings.ToLower(url.PathEscape(term)), local, strings.ToLower(local)}
		for _, d := range [][]byte{sha1Of(term), emailDigest(term)} {
			leaks = append(leaks, hex.EncodeToString(d), strings.ToUpper(hex.EncodeToString(d)))
		}
		for _, leak := range leaks {
			if strings.Contains(log, leak) {
				t.Errorf("the log holds %q (from requests carrying %q)", leak, term)
			}
		}
	}
}
