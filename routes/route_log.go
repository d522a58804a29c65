package routes

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// noRoute is what the log shows for a request no route takes: a mistyped
// address may hold a search term as well as a right one.
const noRoute = "none"

// routeTemplates are the paths of the route table, which the log shows
// instead of the paths requests ask for: /api/v3/breachedaccount/:account
// and never the account searched.
//
// The request's path is matched here rather than read from c.Route(): when
// a middleware answers first (CSRF, rate limit, body refusals) or nothing
// matches, Fiber's current route is a middleware's, whose path is "/".
type routeTemplates struct {
	entries []templateEntry
}

type templateEntry struct {
	method, path string
	segs         []string // the path split at "/"; ":name" stands for one segment
}

func newRouteTemplates(table []route) *routeTemplates {
	t := &routeTemplates{}
	for _, r := range table {
		var segs []string
		if r.path != "/" {
			segs = strings.Split(r.path[1:], "/")
		}
		t.entries = append(t.entries, templateEntry{method: r.method, path: r.path, segs: segs})
	}
	return t
}

// of is the template of the route c goes to, or noRoute.
func (t *routeTemplates) of(c *fiber.Ctx) string { return t.match(c.Method(), c.Path()) }

// match returns the template of the first route of method that path fits,
// as Fiber routes it, or noRoute.
func (t *routeTemplates) match(method, path string) string {
	// Fiber's routing is not strict about trailing slashes: it drops them
	// all, "/" aside.
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
	}
	for _, e := range t.entries {
		if e.method != method {
			continue
		}
		if e.path == "/" && path == "/" || e.path != "/" && fits(e.segs, path) {
			return e.path
		}
	}
	return noRoute
}

// fits reports whether path, without its trailing slash, has the segments
// segs, a parameter taking any one segment that is not empty.
func fits(segs []string, path string) bool {
	for _, s := range segs {
		if path == "" || path[0] != '/' {
			return false
		}
		seg, rest := path[1:], ""
		if i := strings.IndexByte(seg, '/'); i >= 0 {
			seg, rest = seg[:i], seg[i:]
		}
		if s[0] == ':' && seg == "" || s[0] != ':' && seg != s {
			return false
		}
		path = rest
	}
	return path == ""
}
