package storetest

import (
	"database/sql"
	"testing"

	"pcmt/store"
)

// RefuseActivity makes the activity log of st refuse every entry of event,
// with the message "refused by the test", so that a test sees whether the
// write around such an entry fails whole.
func RefuseActivity(t testing.TB, st *store.Store, event string) {
	t.Helper()
	db, err := sql.Open("sqlite3", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse_` + event + ` BEFORE INSERT ON activity
		WHEN NEW.event = '` + event + `' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
}
