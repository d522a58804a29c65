package routes

import (
	"strconv"

	"pcmt/store"
)

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// kindLabel is how a watched item's kind reads on a page.
func kindLabel(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "E-mail"
	}
	return "Username"
}

// kindName is how a record kind reads in the API's answers.
func kindName(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "email"
	}
	return "username"
}
