package watch_test

import (
	"context"
	"errors"
	"testing"

	"filippo.io/age"

	"pcmt/store"
	"pcmt/watch"
)

// The values read back only with the key of their user's session: a
// session without a key is refused, a key another user's (or one an admin
// reset replaced) reads nothing, and List never holds a value.
func TestReadDecryptsOnlyWithTheUsersKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, v := f.newMember(t, "ursula"), f.newMember(t, "vera")
	f.importEmails(t, "Forum", clock.AddDate(-1, 0, 0), "tracked.person@example.org")
	for _, value := range []string{"tracked.person@example.org", "tracked_user"} {
		if _, err := f.s.Add(ctx, u.User, value); err != nil {
			t.Fatal(err)
		}
	}

	read, err := f.s.Read(ctx, u.ID, u.session)
	mine := read
	if err != nil || len(read) != 2 {
		t.Fatalf("read: %+v %v", read, err)
	}
	if read[0].Value != "tracked.person@example.org" || read[1].Value != "tracked_user" ||
		read[0].Unreadable || read[1].Unreadable {
		t.Fatalf("read %+v", read)
	}
	if got := names(read[0].Found); len(got) != 1 || got[0] != "Forum" || len(read[1].Found) != 0 {
		t.Fatalf("found %q and %q", got, names(read[1].Found))
	}
	if !read[0].Added.Equal(clock) || read[0].Kind != store.RecordEmail || read[1].Kind != store.RecordUsername {
		t.Fatalf("read %+v", read)
	}

	// A session whose key is not unlocked.
	if _, err := f.s.Read(ctx, u.ID, []byte("a session without its key")); !errors.Is(err, watch.ErrLocked) {
		t.Fatalf("read without the key: %v, want ErrLocked", err)
	}
	// Vera's session reading Ursula's items (no door asks so; the key
	// must still not fit), and Ursula's session after an admin reset
	// gave her a new key.
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	f.vault.Bind([]byte("after the reset"), u.ID, other)
	for name, session := range map[string][]byte{"another user's key": v.session, "a new key": []byte("after the reset")} {
		read, err := f.s.Read(ctx, u.ID, session)
		if err != nil || len(read) != 2 {
			t.Fatalf("%s: %+v %v", name, read, err)
		}
		for _, r := range read {
			if !r.Unreadable || r.Value != "" {
				t.Errorf("%s read %+v", name, r)
			}
		}
		if len(read[0].Found) != 1 {
			t.Errorf("%s: an unreadable value is still matched: %+v", name, read[0])
		}
	}

	// Vera's own list is hers alone.
	if read, err := f.s.Read(ctx, v.ID, v.session); err != nil || len(read) != 0 {
		t.Fatalf("vera reads %+v %v", read, err)
	}
	items, err := f.s.List(ctx, u.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("list %+v %v", items, err)
	}
	for i, it := range items {
		if it.ID != mine[i].ID || it.Kind != mine[i].Kind || !it.Added.Equal(mine[i].Added) || len(it.Found) != len(mine[i].Found) {
			t.Errorf("list item %d %+v, read %+v", i, it, mine[i].Item)
		}
	}
}
