package store_test

import (
	"time"

	"pcmt/store"
)

// auditKey signs the log entries of the changes the tests make: the store
// makes a person's change only together with its entry (store.Auditor).
var auditKey = []byte("0123456789abcdef0123456789abcdef")

func audit(s *store.Store) *store.Auditor { return s.Auditor(auditKey) }

// entry is a log entry of event; at, when given, is the change's time.
func entry(event string, at ...time.Time) *store.Activity {
	ev := &store.Activity{Event: event}
	if len(at) > 0 {
		ev.At = at[0]
	}
	return ev
}

func noDetail(int) string { return "" }
