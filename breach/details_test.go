package breach_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
)

func TestCheckDetails(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	classes := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "class " + strings.Repeat("x", i)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		d      breach.Details
		fields []string // the fields refused, in order; none when valid
	}{
		{"empty", breach.Details{}, nil},
		{"everything set", breach.Details{Name: "forum", Title: "The Forum", Domain: "forum.example", Date: day(2021, 5, 6),
			Description: "From a forum.\nTwo lines.", DataClasses: []string{"Email addresses", "Passwords"}}, nil},
		{"200 characters of two bytes", breach.Details{Name: strings.Repeat("é", 200), Title: strings.Repeat("密", 200)}, nil},
		{"name of 201 characters", breach.Details{Name: strings.Repeat("a", 201)}, []string{"name"}},
		{"name on two lines", breach.Details{Name: "a\nb"}, []string{"name"}},
		{"name with a tab", breach.Details{Name: "a\tb"}, []string{"name"}},
		{"name with a C1 control", breach.Details{Name: "a\u0085b"}, []string{"name"}},
		{"name not UTF-8", breach.Details{Name: "caf\xe9"}, []string{"name"}},
		{"title of 201 characters", breach.Details{Title: strings.Repeat("密", 201)}, []string{"title"}},
		{"title with DEL", breach.Details{Title: "a\x7fb"}, []string{"title"}},
		{"upper-case domain", breach.Details{Domain: "Forum.example"}, []string{"domain"}},
		{"domain without a dot", breach.Details{Domain: "localhost"}, []string{"domain"}},
		{"domain label starting with -", breach.Details{Domain: "-bad.example"}, []string{"domain"}},
		{"domain with a space", breach.Details{Domain: "not a domain"}, []string{"domain"}},
		{"domain label of 64", breach.Details{Domain: strings.Repeat("a", 64) + ".example"}, []string{"domain"}},
		{"date on the epoch", breach.Details{Date: day(1970, 1, 1)}, nil},
		{"date before 1970", breach.Details{Date: day(1969, 12, 31)}, []string{"date"}},
		{"date tomorrow", breach.Details{Date: day(2025, 3, 11)}, nil},
		{"date in two days", breach.Details{Date: day(2025, 3, 12).Add(13 * time.Hour)}, []string{"date"}},
		{"description of 10000 characters", breach.Details{Description: strings.Repeat("é", 10000)}, nil},
		{"description of 10001 characters", breach.Details{Description: strings.Repeat("a", 10001)}, []string{"description"}},
		{"description not UTF-8", breach.Details{Description: "caf\xe9"}, []string{"description"}},
		{"50 data classes", breach.Details{DataClasses: classes(50)}, nil},
		{"51 data classes", breach.Details{DataClasses: classes(51)}, []string{"data_classes"}},
		{"data class of 101 characters", breach.Details{DataClasses: []string{strings.Repeat("x", 101)}}, []string{"data_classes"}},
		{"empty data class", breach.Details{DataClasses: []string{"Passwords", ""}}, []string{"data_classes"}},
		{"data class on two lines", breach.Details{DataClasses: []string{"a\nb"}}, []string{"data_classes"}},
		{"every field", breach.Details{Name: "a\n", Title: "b\n", Domain: "c", Date: day(1900, 1, 1), Description: "\xff",
			DataClasses: []string{""}}, []string{"name", "title", "domain", "date", "description", "data_classes"}},
	} {
		var got []string
		for _, fe := range breach.CheckDetails(tc.d, now) {
			if fe.Msg == "" {
				t.Errorf("%s: %s refused without a message", tc.name, fe.Field)
			}
			got = append(got, fe.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.fields)
		}
	}
}
