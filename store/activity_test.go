package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"pcmt/store"
	"pcmt/store/storetest"
)

func fillLog(t *testing.T, a *store.Auditor, n int) {
	t.Helper()
	for i := range n {
		ev := &store.Activity{UserID: int64(i%3 + 1), ActorID: 1, Event: store.EventSignIn, IP: "192.0.2.1", Detail: "row"}
		if err := a.Append(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestActivityIsAppendOnly(t *testing.T) {
	s := storetest.New(t)
	a := s.Auditor([]byte("0123456789abcdef0123456789abcdef"))
	fillLog(t, a, 3)
	db := rawDB(t, s.Path())
	if _, err := db.Exec(`UPDATE activity SET detail = 'x' WHERE id = 2`); err == nil {
		t.Fatal("an UPDATE went through")
	}
	if _, err := db.Exec(`DELETE FROM activity WHERE id = 2`); err == nil {
		t.Fatal("a DELETE went through")
	}
	if n, err := a.Verify(context.Background()); err != nil || n != 3 {
		t.Fatalf("verify: %d %v", n, err)
	}
}

func TestActivityChainDetectsTampering(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, tc := range []struct {
		name   string
		tamper string
		row    int64
	}{
		{"edited row", `UPDATE activity SET detail = 'nothing happened' WHERE id = 4`, 4},
		{"edited time", `UPDATE activity SET at = '2001-01-01T00:00:00.000000000Z' WHERE id = 2`, 2},
		{"deleted row", `DELETE FROM activity WHERE id = 5`, 6},
		{"deleted first row", `DELETE FROM activity WHERE id = 1`, 2},
		{"row swapped in", `UPDATE activity SET mac = (SELECT mac FROM activity WHERE id = 3) WHERE id = 7`, 7},
		{"newest rows cut off", `DELETE FROM activity WHERE id >= 7`, 7},
		{"whole log emptied", `DELETE FROM activity`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.New(t)
			a := s.Auditor(key)
			fillLog(t, a, 8)
			db := rawDB(t, s.Path())
			for _, q := range []string{`DROP TRIGGER activity_no_update`, `DROP TRIGGER activity_no_delete`, tc.tamper} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			_, err := a.Verify(context.Background())
			var broken *store.BrokenChainError
			if !errors.As(err, &broken) || broken.ID != tc.row {
				t.Fatalf("verify: %v, want row %d named", err, tc.row)
			}
		})
	}
}

func TestActivityNeedsTheKey(t *testing.T) {
	s := storetest.New(t)
	fillLog(t, s.Auditor([]byte("0123456789abcdef0123456789abcdef")), 2)
	// A log rewritten by someone without the key does not verify.
	if _, err := s.Auditor([]byte("another key, another key, anothe")).Verify(context.Background()); err == nil {
		t.Fatal("verified under the wrong key")
	}
}

func TestUserActivity(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := s.Auditor([]byte("0123456789abcdef0123456789abcdef"))
	fillLog(t, a, 9)
	evs, err := s.UserActivity(ctx, 2, 100)
	if err != nil || len(evs) != 3 {
		t.Fatalf("user 2 has %d events, %v", len(evs), err)
	}
	if evs[0].ID < evs[1].ID {
		t.Fatal("not newest first")
	}
	for _, e := range evs {
		if e.UserID != 2 {
			t.Fatalf("event of user %d listed for user 2", e.UserID)
		}
	}
	prev, err := s.PreviousSignIn(ctx, 2)
	if err != nil || !prev.Equal(evs[1].At) {
		t.Fatalf("previous sign-in %v, want %v (%v)", prev, evs[1].At, err)
	}
}
