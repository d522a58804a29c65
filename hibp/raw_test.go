package hibp_test

import (
	"database/sql"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the driver the store registers
)

// openRaw opens the database file directly, read-only, as anyone holding a
// copy could.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
