package apperr

import (
	"slices"
	"strings"
)

// Refused is what a use-case layer's rules turned down: a message per
// field, written for the person who typed the value, which a page shows
// beside the field. accounts/ and breaches/ refuse with it alike.
type Refused map[string]string

func (r Refused) Error() string {
	fields := make([]string, 0, len(r))
	for f := range r {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for i, f := range fields {
		fields[i] = f + ": " + r[f]
	}
	return "refused: " + strings.Join(fields, "; ")
}

// OrNil is r as an error, nil when it holds no refusal: a rule collects
// its refusals in a Refused and returns OrNil.
func (r Refused) OrNil() error {
	if len(r) == 0 {
		return nil
	}
	return r
}
