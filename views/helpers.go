package views

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// csrfHeader is the hx-headers value that makes every htmx request carry the
// CSRF token.
func csrfHeader(token string) string {
	if !isBase64URL(token) {
		b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token}) // a map of strings always marshals
		return string(b)
	}
	// Tokens are base64url: nothing in them needs JSON escaping, and this
	// runs on every page.
	return `{"X-CSRF-Token":"` + token + `"}`
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func flashClass(k FlashKind) string {
	switch k {
	case FlashSuccess:
		return "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100"
	case FlashError:
		return "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
	default:
		return "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
	}
}

// stamp formats a time for people, in UTC.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// inSection reports whether the page at current belongs under the
// navigation link href: the page itself or one below it.
func inSection(current, href string) bool {
	return current == href || strings.HasPrefix(current, href+"/")
}

// duration formats d coarsely: 1h02m, 3m05s, 4.2s.
func duration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute).String()
	case d >= time.Minute:
		return d.Round(time.Second).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
