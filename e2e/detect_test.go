package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"pcmt/config"
)

// badSite serves pages under the app's own Content-Security-Policy, each with
// one known defect, to show that the harness reports every kind of problem.
// Its assets are external files, which the policy allows, so that the only
// defect of each page is the one it is named for.
func badSite(t *testing.T) *httptest.Server {
	t.Helper()
	page := func(body string) string {
		return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>` +
			`<link rel="icon" href="data:,"><link rel="stylesheet" href="/site.css"></head>` +
			`<body><h1>Page</h1>` + body + `</body></html>`
	}
	script := func(src string) string { return `<script src="` + src + `"></script>` }
	pages := map[string]string{
		"/clean":         page(`<p>Nothing wrong here.</p>` + script("/ok.js")),
		"/inline-script": page(`<script>document.title = "ran";</script>`),
		"/inline-style":  page(`<p style="color: red">red</p>`),
		"/late-style":    page(script("/late-style.js")),
		"/eval":          page(script("/eval.js")),
		"/console-error": page(script("/console-error.js")),
		"/csp-warning":   page(script("/csp-warning.js")),
		"/exception":     page(script("/exception.js")),
		"/missing-image": page(`<img src="/missing.png" alt="">`),
		"/hang-up":       page(script("/hang-up.js")),
	}
	scripts := map[string]string{
		"/ok.js":            `document.body.dataset.ran = "yes";`,
		"/late-style.js":    `setTimeout(() => document.body.setAttribute("style", "color: red"));`,
		"/eval.js":          `try { eval("1 + 1"); } catch (e) {}`,
		"/console-error.js": `console.error("something broke");`,
		"/csp-warning.js":   `console.warn("Content Security Policy: a library says it needs unsafe-inline");`,
		"/exception.js":     `setTimeout(() => { throw new Error("thrown later"); });`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", config.DefaultCSP)
		if html, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, html)
			return
		}
		if js, ok := scripts[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, js)
			return
		}
		switch r.URL.Path {
		case "/site.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, "body { margin: 0 }")
		case "/hang-up.js":
			// Close the connection without an answer: a network failure,
			// not an error status.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, page("<p>Not found.</p>"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHarnessDetects proves that each check of assertClean works: a page
// with one defect must yield a problem of that kind, and the clean page
// none.
func TestHarnessDetects(t *testing.T) {
	site := badSite(t)
	browser := newBrowser(t)

	cases := []struct {
		path string
		// expect is an error status the case declares as intended.
		expect int
		want   []problemKind
		// mention is text the first problem of the wanted kind must contain.
		mention string
	}{
		{path: "/clean"},
		{path: "/inline-script", want: []problemKind{kindCSP}, mention: "script-src"},
		{path: "/inline-style", want: []problemKind{kindCSP}, mention: "style-src"},
		{path: "/late-style", want: []problemKind{kindCSP}, mention: "style-src"},
		{path: "/eval", want: []problemKind{kindCSP}, mention: "EvalViolation"},
		{path: "/console-error", want: []problemKind{kindConsole}, mention: "something broke"},
		{path: "/csp-warning", want: []problemKind{kindCSP}, mention: "needs unsafe-inline"},
		{path: "/exception", want: []problemKind{kindException}, mention: "thrown later"},
		{path: "/missing-image", want: []problemKind{kindStatus, kindConsole}, mention: "404"},
		{path: "/hang-up", want: []problemKind{kindLoad}, mention: "ERR_EMPTY_RESPONSE"},
		{path: "/no-such-page", want: []problemKind{kindStatus}, mention: "404"},
		{path: "/no-such-page", expect: http.StatusNotFound},
	}
	for _, c := range cases {
		name := strings.TrimPrefix(c.path, "/")
		if c.expect != 0 {
			name += "-expected"
		}
		t.Run(name, func(t *testing.T) {
			b := newTab(t, browser, site.URL)
			if c.expect != 0 {
				b.expectStatus(c.path, c.expect)
			}
			b.open(c.path)
			got := b.takeProblems()
			if len(c.want) == 0 && len(got) > 0 {
				t.Errorf("harness reported problems on a page without any: %v", got)
			}
			for _, kind := range c.want {
				i := slices.IndexFunc(got, func(p problem) bool { return p.kind == kind })
				if i < 0 {
					t.Errorf("harness missed the %s; it reported %v", kind, got)
					continue
				}
				if kind == c.want[0] && !strings.Contains(got[i].String(), c.mention) {
					t.Errorf("%s %q does not mention %q", kind, got[i], c.mention)
				}
			}
		})
	}
}
