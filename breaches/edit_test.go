package breaches_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pcmt/breaches"
	"pcmt/store"
	"pcmt/store/storetest"
)

// withBreach is a Service over a database with the breach "horrible" of
// three records.
func withBreach(t *testing.T) (*store.Store, *breaches.Service, store.Breach) {
	t.Helper()
	st := newStore(t)
	id := storetest.ImportRecords(t, st, store.Breach{Name: "horrible", Title: "Horrible breach"}, store.RecordSHA1,
		[]byte("01234567890123456789"), []byte("11234567890123456789"), []byte("21234567890123456789"))
	b, err := st.BreachByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st, newService(st, breaches.Deps{}), b
}

// TestCheckEdit: the edit's rules are those of every breach's details, at
// the Service's clock; the domain is lowered and the classes trimmed and
// deduplicated.
func TestCheckEdit(t *testing.T) {
	for _, tc := range []struct {
		field string
		e     breaches.Edit
	}{
		{"title", breaches.Edit{Title: "two\nlines"}},
		{"title", breaches.Edit{Title: strings.Repeat("x", 201)}},
		{"domain", breaches.Edit{Domain: "not a domain"}},
		{"domain", breaches.Edit{Domain: "-bad.example"}},
		{"date", breaches.Edit{Date: "23/04/2022"}},
		{"date", breaches.Edit{Date: clock.AddDate(0, 0, 2).Format(time.DateOnly)}},
		{"date", breaches.Edit{Date: "1969-12-31"}},
		{"data_classes", breaches.Edit{DataClasses: strings.Repeat("x", 101)}},
	} {
		_, err := breaches.CheckEdit(tc.e, clock)
		var refused breaches.Refused
		if !errors.As(err, &refused) || refused[tc.field] == "" || len(refused) != 1 {
			t.Errorf("%+v: %v, want one refusal of %s", tc.e, err, tc.field)
		}
	}
	e, err := breaches.CheckEdit(breaches.Edit{Title: "T", Domain: "Horrible.Example", Date: clock.Format(time.DateOnly),
		DataClasses: " Passwords,, Email addresses ,Passwords"}, clock)
	if err != nil || e.Domain != "horrible.example" || strings.Join(e.DataClasses, "|") != "Passwords|Email addresses" || !e.Date.Equal(clock.Truncate(24*time.Hour)) {
		t.Fatalf("edit %+v, %v", e, err)
	}
	if _, err := breaches.CheckEdit(breaches.Edit{}, clock); err != nil {
		t.Fatalf("an empty edit is refused: %v", err)
	}
}

// TestEditBreach: an edit is made with its log entry, on the Service's
// clock; a refused edit changes and logs nothing.
func TestEditBreach(t *testing.T) {
	st, s, b := withBreach(t)
	ctx := context.Background()
	var refused breaches.Refused
	if err := s.EditBreach(ctx, admin, &b, breaches.Edit{Title: "Renamed", Date: "2022-13-40"}); !errors.As(err, &refused) || refused["date"] == "" {
		t.Fatalf("a bad date: %v", err)
	}
	if got, _ := st.BreachByID(ctx, b.ID); got.Title != "Horrible breach" {
		t.Fatalf("a refused edit changed the breach: %q", got.Title)
	}
	unlogged(t, st)

	if err := s.EditBreach(ctx, admin, &b, breaches.Edit{Title: "Renamed", Domain: "Horrible.Example", Verified: true}); err != nil {
		t.Fatal(err)
	}
	got, err := st.BreachByID(ctx, b.ID)
	if err != nil || got.Title != "Renamed" || got.Domain != "horrible.example" || !got.IsVerified || !got.ModifiedAt.Equal(clock) {
		t.Fatalf("edited breach %+v, %v", got, err)
	}
	logged(t, st, admin, store.EventBreachEdited, "horrible")
}

// TestEditBreachIsLogged: with the log refusing the entry, the breach is
// not edited.
func TestEditBreachIsLogged(t *testing.T) {
	st, s, b := withBreach(t)
	storetest.RefuseActivity(t, st, store.EventBreachEdited)
	ctx := context.Background()
	if err := s.EditBreach(ctx, admin, &b, breaches.Edit{Title: "Renamed"}); err == nil {
		t.Fatal("the edit succeeded with its log entry refused")
	}
	if got, _ := st.BreachByID(ctx, b.ID); got.Title != "Horrible breach" {
		t.Fatalf("the breach was edited unlogged: %q", got.Title)
	}
}

// TestDeleteBreach: a breach goes, records and all, only when its name is
// typed again exactly, with a log entry naming how many records went.
func TestDeleteBreach(t *testing.T) {
	st, s, b := withBreach(t)
	ctx := context.Background()
	for _, typed := range []string{"", "Horrible", "horrible ", "other"} {
		var refused breaches.Refused
		if err := s.DeleteBreach(ctx, admin, &b, typed); !errors.As(err, &refused) || !strings.Contains(refused["confirm_name"], "horrible") {
			t.Fatalf("confirmation %q: %v", typed, err)
		}
	}
	if _, err := st.BreachByID(ctx, b.ID); err != nil {
		t.Fatalf("deleted without confirmation: %v", err)
	}
	unlogged(t, st)

	if err := s.DeleteBreach(ctx, admin, &b, "horrible"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.BreachByID(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the breach is still there: %v", err)
	}
	if n, _ := st.RecordCount(ctx, b.ID); n != 0 {
		t.Fatalf("%d records left", n)
	}
	logged(t, st, admin, store.EventBreachDeleted, "horrible (3 records)")
}

// TestDeleteBreachIsLogged: with the log refusing the entry, the breach
// and its records stay.
func TestDeleteBreachIsLogged(t *testing.T) {
	st, s, b := withBreach(t)
	storetest.RefuseActivity(t, st, store.EventBreachDeleted)
	ctx := context.Background()
	if err := s.DeleteBreach(ctx, admin, &b, "horrible"); err == nil {
		t.Fatal("the deletion succeeded with its log entry refused")
	}
	if _, err := st.BreachByID(ctx, b.ID); err != nil {
		t.Fatalf("the breach was deleted unlogged: %v", err)
	}
	if n, _ := st.RecordCount(ctx, b.ID); n != 3 {
		t.Fatalf("%d records left, want 3", n)
	}
}
