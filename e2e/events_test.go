package e2e

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// This file turns Chrome's events into problems. A CSP violation can arrive
// three ways: as an error from the "security" source of the Log domain, as
// an Issue of the Audits domain (the only way for eval), or as a load that
// failed with the blocked reason "csp".

// listen files one event from chromedp's event loop: it must return fast
// and send no command.
func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if i, ok := r.last[ev.RequestID]; ok && ev.RedirectResponse != nil {
			r.sent[i].status = ev.RedirectResponse.Status
		}
		r.requests[ev.RequestID] = ev.Request.URL
		r.last[ev.RequestID] = len(r.sent)
		r.sent = append(r.sent, sentRequest{
			method: ev.Request.Method, url: ev.Request.URL, kind: ev.Type, headers: ev.Request.Headers,
		})
	case *network.EventResponseReceived:
		if i, ok := r.last[ev.RequestID]; ok {
			r.sent[i].status = ev.Response.Status
		}
		if ev.Response.Status >= 400 {
			r.add(kindStatus, ev.Response.URL, statusText(ev.Response.Status))
		}
	case *network.EventLoadingFailed:
		text := ev.ErrorText
		if ev.BlockedReason != "" {
			text += " (blocked: " + string(ev.BlockedReason) + ")"
		}
		kind := kindLoad
		if ev.BlockedReason == network.BlockedReasonCsp {
			kind = kindCSP
		}
		r.add(kind, r.requests[ev.RequestID], text)
	case *log.EventEntryAdded:
		r.logEntry(ev.Entry)
	case *runtime.EventConsoleAPICalled:
		r.consoleCall(ev)
	case *runtime.EventExceptionThrown:
		r.exception(ev.ExceptionDetails)
	case *audits.EventIssueAdded:
		r.issue(ev.Issue)
	}
}

// issue files one of Chrome's Issues. Some CSP violations, eval among them,
// are reported only here and never in the log.
func (r *recorder) issue(is *audits.InspectorIssue) {
	d := is.Details
	if is.Code != audits.InspectorIssueCodeContentSecurityPolicyIssue || d == nil || d.ContentSecurityPolicyIssueDetails == nil {
		r.warnings = append(r.warnings, "issue: "+string(is.Code))
		return
	}
	csp := d.ContentSecurityPolicyIssueDetails
	what := strings.TrimPrefix(string(csp.ContentSecurityPolicyViolationType), "k")
	if csp.BlockedURL != "" {
		what += " of " + csp.BlockedURL
	}
	where := ""
	if loc := csp.SourceCodeLocation; loc != nil {
		where = fmt.Sprintf("%s:%d", loc.URL, loc.LineNumber+1)
	}
	r.add(kindCSP, where, what+" blocked by "+csp.ViolatedDirective)
}

// logEntry files the browser's own messages: CSP violations arrive here as
// errors from the "security" source, failed responses from "network".
func (r *recorder) logEntry(e *log.Entry) {
	switch e.Level {
	case log.EntryLevelError:
		kind := kindConsole
		if isCSP(e.Text) {
			kind = kindCSP
		}
		text := e.Text
		if strings.HasPrefix(text, "Failed to load resource:") {
			// Keep only the status, which isExpected matches; the reason
			// phrase after it varies.
			text, _, _ = strings.Cut(text, " (")
		}
		r.add(kind, e.URL, text)
	case log.EntryLevelWarning:
		r.warning(e.URL, string(e.Source)+": "+e.Text)
	}
}

func (r *recorder) consoleCall(ev *runtime.EventConsoleAPICalled) {
	text := consoleText(ev.Args)
	where := ""
	if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
		where = st.CallFrames[0].URL
	}
	switch ev.Type {
	case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
		r.add(kindConsole, where, "console."+string(ev.Type)+": "+text)
	case runtime.ConsoleAPICalledTypeWarning:
		r.warning(where, "console.warn: "+text)
	}
}

func (r *recorder) exception(d *runtime.ExceptionDetails) {
	text := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		text += " " + d.Exception.Description
	}
	where := d.URL
	if where == "" && d.StackTrace != nil && len(d.StackTrace.CallFrames) > 0 {
		where = d.StackTrace.CallFrames[0].URL
	}
	r.add(kindException, where, text)
}

// warning files a warning: one about the CSP is a failure, any other is
// only noted.
func (r *recorder) warning(where, text string) {
	if isCSP(text) {
		r.add(kindCSP, where, text)
		return
	}
	r.warnings = append(r.warnings, text)
}

func (r *recorder) add(kind problemKind, where, text string) {
	r.found = append(r.found, problem{kind: kind, url: where, text: text})
}

// isCSP reports whether a browser message is about the Content Security
// Policy.
func isCSP(text string) bool {
	return strings.Contains(text, "Content Security Policy") ||
		strings.Contains(text, "Content-Security-Policy")
}

// consoleText renders console arguments roughly as DevTools shows them.
func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
			parts = append(parts, s)
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}
