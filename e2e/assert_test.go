package e2e

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// assertCSRFWiring checks that the page carries the CSRF token everywhere
// the contract puts it: the csrf-token meta tag, the X-CSRF-Token header
// htmx inherits from <body>, and the csrf field of every form. The tokens
// are masked afresh for each use, so only their presence is compared here;
// the form tests show that a submission with them works.
func assertCSRFWiring(t *testing.T, b *tab) {
	t.Helper()
	if b.attr(`meta[name="csrf-token"]`, "content") == "" {
		t.Error(`<meta name="csrf-token"> is empty`)
	}
	var headers map[string]string
	raw := b.attr("body", "hx-headers:inherited")
	if err := json.Unmarshal([]byte(raw), &headers); err != nil {
		t.Errorf("<body hx-headers:inherited=%q>: %v", raw, err)
	} else if headers["X-CSRF-Token"] == "" {
		t.Errorf("<body hx-headers:inherited=%q> has no X-CSRF-Token", raw)
	}
	empty := run(b, chromedp.Evaluate[int](
		`[...document.forms].filter(f => f.method === "post" && !(f.elements.csrf && f.elements.csrf.value)).length`))
	if empty > 0 {
		t.Errorf("%d POST form(s) without a csrf value", empty)
	}
}

// assertStylesheetApplied checks that the stylesheet was loaded and used:
// the layout makes <body> a flex column, which no browser default does.
func assertStylesheetApplied(t *testing.T, b *tab) {
	t.Helper()
	display := run(b, chromedp.Evaluate[string](`getComputedStyle(document.body).display`))
	if display != "flex" {
		t.Errorf("<body> display is %q, want flex: is app.css applied?", display)
	}
}

// assertText checks the visible text of the first element sel matches.
func assertText(t *testing.T, b *tab, sel, want string) {
	t.Helper()
	if got := b.text(sel); got != want {
		t.Errorf("%s: text %q, want %q", sel, got, want)
	}
}

// assertLocation checks the path of the page the tab shows.
func assertLocation(t *testing.T, b *tab, path string) {
	t.Helper()
	if got := run(b, chromedp.Location()); got != b.base+path {
		t.Errorf("the browser is at %s, want %s%s", got, b.base, path)
	}
}
