package breach

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Details are what people write about a breach: its name and title, the
// site's domain, when it happened, a description and what it exposed.
// They come from YAML documents, a line list's import options and an
// admin's edit; CheckDetails holds all three to the same rules, so that a
// breach reads the same whichever way it came in.
type Details struct {
	Name        string
	Title       string
	Domain      string    // lower-case
	Date        time.Time // zero when unknown
	Description string
	DataClasses []string
}

// Bounds of Details, in characters.
const (
	MaxNameLen        = 200 // a name or a title
	MaxDescriptionLen = 10000
	MaxDataClasses    = 50
	MaxDataClassLen   = 100
)

// minBreachYear bounds breach dates from below: no data breach is older
// than the Unix epoch, and a date before it is a typo or a parser's zero.
const minBreachYear = 1970

// CheckDetails returns what is wrong with d, at most one problem per field
// and in the order of Details' fields; none when d may be stored. A date
// may be up to a day past now, for time zones ahead of the server's.
func CheckDetails(d Details, now time.Time) []*FieldError {
	var errs []*FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{field, fmt.Sprintf(format, args...)})
	}
	if !oneLine(d.Name, MaxNameLen) {
		bad("name", "at most %d characters, on one line", MaxNameLen)
	}
	if !oneLine(d.Title, MaxNameLen) {
		bad("title", "at most %d characters, on one line", MaxNameLen)
	}
	if d.Domain != "" && !isDomain(d.Domain) {
		bad("domain", "a domain name like example.com, or nothing")
	}
	if !d.Date.IsZero() && (d.Date.Year() < minBreachYear || d.Date.After(now.AddDate(0, 0, 1))) {
		bad("date", "the date must be between %d and today", minBreachYear)
	}
	if !utf8.ValidString(d.Description) || utf8.RuneCountInString(d.Description) > MaxDescriptionLen {
		bad("description", "at most %d characters", MaxDescriptionLen)
	}
	switch {
	case slices.ContainsFunc(d.DataClasses, func(c string) bool { return c == "" || !oneLine(c, MaxDataClassLen) }):
		bad("data_classes", "each data class is at most %d characters, on one line", MaxDataClassLen)
	case len(d.DataClasses) > MaxDataClasses:
		bad("data_classes", "at most %d data classes", MaxDataClasses)
	}
	return errs
}

// oneLine reports whether s is valid UTF-8 of at most max characters,
// without control characters (line breaks, tabs, C1 controls).
func oneLine(s string, max int) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) && utf8.RuneCountInString(s) <= max
}

// isDomain reports whether s looks like a lower-case DNS name with a dot.
func isDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
