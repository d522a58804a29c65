package routes

import (
	"strconv"
	"time"

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

// humanDuration says a wait in whole seconds or minutes, rounded up.
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		n := int(d.Seconds() + 0.999)
		if n == 1 {
			return "a second"
		}
		return strconv.Itoa(n) + " seconds"
	}
	n := int(d.Minutes() + 0.999)
	if n == 1 {
		return "a minute"
	}
	return strconv.Itoa(n) + " minutes"
}

// kindName is how a record kind reads in the API's answers.
func kindName(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "email"
	}
	return "username"
}
