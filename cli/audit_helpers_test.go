package cli

import (
	"context"

	"pcmt/store"
)

// testAudit is the log writer of the changes tests make to a database
// directly, under a key of their own: the store makes a person's change
// only with its entry.
func testAudit(st *store.Store) *store.Auditor {
	return st.Auditor([]byte("0123456789abcdef0123456789abcdef"))
}

// putSetting writes value under name through the store's one door for a
// setting, the logged one: the backup and replication tests need rows to
// copy, and settings are the plainest.
func putSetting(ctx context.Context, st *store.Store, name string, value []byte) error {
	return testAudit(st).PutSetting(ctx, name, value, &store.Activity{Event: store.EventHIBPKeyChanged, Detail: "test row"})
}

func noDetail(int) string { return "" }
