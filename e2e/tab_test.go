package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"pcmt/config"
)

// stepTimeout bounds each browser step, so that a wait for an element that
// never comes fails the test instead of hanging it.
const stepTimeout = 30 * time.Second

// tab is one browser tab on the app, with a recorder that sees its events
// from the first one on.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	rec  *recorder
	// noScripts is set once the page may run no JavaScript of its own.
	noScripts bool
}

// newTab opens a tab in browser for pages under base. Whatever problems the
// test did not take with assertClean or takeProblems fail it at the end.
// Tabs share their cookies unless opts give one a browser context of its
// own, with chromedp.WithNewBrowserContext: a second visitor.
func newTab(t *testing.T, browser context.Context, base string, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	rec := newRecorder()
	opts = append(opts[:len(opts):len(opts)], chromedp.WithListener(rec.listen))
	ctx, cancel := chromedp.NewContext(browser, opts...)
	t.Cleanup(cancel)
	// The first call opens the tab and ties it to the context it gets, so
	// it must not be one of the per-step contexts with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	// Chromium reports some CSP violations, such as eval, only as Issues.
	if _, err := chromedp.Call(ctx, audits.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the Audits domain: %v", err)
	}
	b := &tab{t: t, ctx: ctx, base: base, rec: rec}
	t.Cleanup(b.assertClean)
	return b
}

// openApp starts a browser and the app, in that order so that a missing
// browser skips the test before the app starts, and opens a tab on the app.
func openApp(t *testing.T, edits ...func(*config.Config)) *tab {
	t.Helper()
	browser := newBrowser(t)
	return newTab(t, browser, startApp(t, edits...))
}

// do runs browser steps, failing the test on the first error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// run runs one browser step that returns a value.
func run[T any](b *tab, step chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, step)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// open loads path as a full page and returns the HTTP status of the
// document.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	resp := run(b, chromedp.NavigateResponse(b.base+path))
	return resp.Status
}

// navigateBy runs steps that load a new page, such as a click on a link or a
// plain form submission, and returns the status of the new document.
func (b *tab) navigateBy(steps ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	if resp == nil {
		// chromedp reports a navigation within the document, such as a
		// history.pushState, without a response.
		b.t.Fatalf("browser: no new page was loaded; the URL changed within the page to %s",
			run(b, chromedp.Location()))
	}
	return resp.Status
}

// text returns the visible text of the first element sel matches, waiting
// for it.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// attr returns an attribute of the first element sel matches, waiting for
// it to be in the document.
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	res := run(b, chromedp.AttributeValue(chromedp.CSS(sel), name, chromedp.NodeReady))
	return res.Value
}

// count returns how many elements sel matches now, without waiting.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return run(b, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

// settle waits until the page has run the tasks it queued, so that the
// events they cause have reached the recorder: the recorder sees events in
// the order Chrome sends them, and Chrome sends those of a task before the
// reply to a later command.
func (b *tab) settle() {
	b.t.Helper()
	if b.noScripts {
		// Nothing is queued, and timers would never fire: a round trip is
		// enough.
		run(b, chromedp.Evaluate[bool](`true`))
		return
	}
	run(b, chromedp.Evaluate[bool](
		`new Promise(done => requestAnimationFrame(() => setTimeout(() => done(true))))`,
		chromedp.EvalAwaitPromise))
}

// disableScripts turns JavaScript off for the pages of the tab, as for a
// visitor who blocks it. Evaluations through the protocol still work.
func (b *tab) disableScripts() {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.noScripts = true
}

// expectStatus declares an error response the test causes on purpose.
func (b *tab) expectStatus(path string, status int) {
	b.rec.expectStatus(path, status)
}

// takeProblems settles the page and returns the problems recorded so far,
// clearing them.
func (b *tab) takeProblems() []problem {
	b.t.Helper()
	b.settle()
	return b.rec.take()
}

// assertClean fails the test for every CSP violation, console error,
// JavaScript exception, failed load or unexpected error status so far.
func (b *tab) assertClean() {
	b.t.Helper()
	if b.ctx.Err() != nil {
		return
	}
	for _, p := range b.takeProblems() {
		b.t.Errorf("browser: %s", p)
	}
	for _, n := range b.rec.takeNotes() {
		b.t.Logf("browser warning (not a failure): %s", n)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
