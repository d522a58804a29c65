package breaches_test

import (
	"slices"
	"strings"
	"testing"

	"pcmt/breach"
	"pcmt/breaches"
)

// FuzzCheckEdit: whatever the form holds, CheckEdit never panics, and an
// edit it accepts is one the details' rules accept, its domain in lower
// case and its classes trimmed, not empty and not repeated.
func FuzzCheckEdit(f *testing.F) {
	f.Add("Horrible breach", "Horrible.Example", "2022-04-23", "From a forum.", "Email addresses, Passwords,, Email addresses", true)
	f.Add("two\nlines", "-bad.example", "23/04/2022", "", strings.Repeat("x", 101), false)
	f.Add("", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, title, domain, date, description, classes string, verified bool) {
		e, err := breaches.CheckEdit(breaches.Edit{Title: title, Domain: domain, Date: date, Description: description,
			DataClasses: classes, Verified: verified}, clock)
		if err != nil {
			return
		}
		d := breach.Details{Title: e.Title, Domain: e.Domain, Date: e.Date, Description: e.Description, DataClasses: e.DataClasses}
		if errs := breach.CheckDetails(d, clock); len(errs) != 0 {
			t.Fatalf("accepted %+v, which the details' rules refuse: %v", e, errs)
		}
		if e.Domain != strings.ToLower(domain) || e.IsVerified != verified {
			t.Fatalf("domain %q from %q, verified %v", e.Domain, domain, e.IsVerified)
		}
		for i, c := range e.DataClasses {
			if c == "" || c != strings.TrimSpace(c) || slices.Contains(e.DataClasses[:i], c) {
				t.Fatalf("classes %q from %q", e.DataClasses, classes)
			}
		}
	})
}
