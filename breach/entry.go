package breach

import "pcmt/store"

// Entry is the activity log entry of an import or a sync a person starts.
// The store appends it through Audit in the transaction that makes or
// begins the job, so that no job of theirs starts unlogged and a refused
// entry starts nothing; Detail gives the entry's detail from the job,
// whose id is known only inside that transaction. breaches/ makes them.
type Entry struct {
	Audit  *store.Auditor
	Event  *store.Activity
	Detail func(store.ImportJob) string
}
