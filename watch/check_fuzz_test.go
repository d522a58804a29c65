package watch

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"pcmt/account"
)

// FuzzCheck holds the rule of a valid value against whatever a form or a
// JSON body sends: it never panics, refuses with one of its sentences, and
// what it takes is an e-mail address the account rules accept or a short
// printable username, with no spaces around it once cleaned.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", " ", "name@example.org", "a@b@example.org", "tracked_user", "bad\x01name",
		"bad\xffname", strings.Repeat("ü", 65), " x@y.z ", "@", "user@", "\u200bname"} {
		f.Add(s)
	}
	messages := map[string]bool{
		"Enter an e-mail address or a username.":                                  true,
		"Enter an e-mail address like name@example.org (at most 254 characters).": true,
		"A username has 1 to 64 characters.":                                      true,
		"A username has only printable characters.":                               true,
	}
	f.Fuzz(func(t *testing.T, typed string) {
		v := Clean(typed)
		if Clean(v) != v {
			t.Fatalf("Clean(%q) = %q is not clean", typed, v)
		}
		r := check(v)
		if r != nil {
			if r.Reason != Invalid || !messages[r.Message] {
				t.Fatalf("check(%q) = %+v", v, r)
			}
			return
		}
		switch {
		case v == "":
			t.Fatal("an empty value taken")
		case strings.Contains(v, "@"):
			if len(v) > maxEmail || !account.ValidEmail(v) {
				t.Fatalf("address %q taken", v)
			}
		default:
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxUsername {
				t.Fatalf("username %q taken", v)
			}
			for _, c := range v {
				if !unicode.IsPrint(c) {
					t.Fatalf("username %q with %U taken", v, c)
				}
			}
		}
	})
}
