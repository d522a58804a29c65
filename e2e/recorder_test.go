package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
)

// problemKind says which check a problem failed.
type problemKind string

// The kinds of problem a page can have.
const (
	kindCSP       problemKind = "CSP violation"
	kindConsole   problemKind = "console error"
	kindException problemKind = "JavaScript exception"
	kindLoad      problemKind = "failed load"
	kindStatus    problemKind = "error status"
)

// problem is one thing that went wrong in the browser.
type problem struct {
	kind problemKind
	url  string
	text string
}

func (p problem) String() string {
	if p.url == "" {
		return fmt.Sprintf("%s: %s", p.kind, p.text)
	}
	return fmt.Sprintf("%s: %s (%s)", p.kind, p.text, p.url)
}

// expected is a response with an error status that a test asks for, such as
// the 404 page or the 422 of a rejected form.
type expected struct {
	path   string
	status int64
}

// recorder collects the problems of one tab from Chrome's events. Its listen
// method runs in chromedp's event loop, so it only files what it sees; the
// verdict comes later from take.
type recorder struct {
	mu       sync.Mutex
	found    []problem
	warnings []string
	expect   []expected
	// requests maps request ids to URLs, so that a failed load can name
	// what failed.
	requests map[network.RequestID]string
	sent     []sentRequest
	// last maps request ids to the latest of their entries in sent: a
	// redirect keeps the id of the request it answers.
	last map[network.RequestID]int
}

// sentRequest is a request the page made, for tests that check how a form
// was submitted.
type sentRequest struct {
	method  string
	url     string
	kind    network.ResourceType
	headers network.Headers
	// status is that of the response, a redirect's included; 0 while none
	// came.
	status int64
}

// header returns a request header by its case-insensitive name.
func (s sentRequest) header(name string) string {
	for k, v := range s.headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// requestsFor returns the requests the page made for path, oldest first.
func (r *recorder) requestsFor(path string) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentRequest
	for _, s := range r.sent {
		if u, err := url.Parse(s.url); err == nil && u.Path == path {
			out = append(out, s)
		}
	}
	return out
}

// sentSince returns the requests the page made after the first n, oldest
// first.
func (r *recorder) sentSince(n int) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent[min(n, len(r.sent)):])
}

func newRecorder() *recorder {
	return &recorder{requests: map[network.RequestID]string{}, last: map[network.RequestID]int{}}
}

// expectStatus declares that a response for path with this status is part
// of the test, not a failure. Chrome's "Failed to load resource" log line
// for it is accepted too.
func (r *recorder) expectStatus(path string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expect = append(r.expect, expected{path: path, status: int64(status)})
}

// take returns what went wrong since the last take, leaving out the
// responses the test expected.
func (r *recorder) take() []problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []problem
	for _, p := range r.found {
		if !r.isExpected(p) {
			out = append(out, p)
		}
	}
	r.found = nil
	return out
}

// takeNotes returns the warnings since the last call that are not
// failures, for the test log.
func (r *recorder) takeNotes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.warnings
	r.warnings = nil
	return n
}

func (r *recorder) isExpected(p problem) bool {
	u, err := url.Parse(p.url)
	if err != nil {
		return false
	}
	for _, e := range r.expect {
		if u.Path != e.path {
			continue
		}
		switch p.kind {
		case kindStatus:
			if p.text == statusText(e.status) {
				return true
			}
		case kindConsole:
			if p.text == failedResourceText(e.status) {
				return true
			}
		}
	}
	return false
}

func statusText(status int64) string { return fmt.Sprintf("status %d", status) }

// failedResourceText is what Chrome logs for every response with an error
// status.
func failedResourceText(status int64) string {
	return fmt.Sprintf("Failed to load resource: the server responded with a status of %d", status)
}
