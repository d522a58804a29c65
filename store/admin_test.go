package store_test

import (
	"context"
	"testing"

	"pcmt/store"
	"pcmt/store/storetest"
)

func TestAdminActions(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	a := s.Auditor([]byte("0123456789abcdef0123456789abcdef"))
	root := newUser(t, s, "root", store.RoleAdmin)
	ann := newUser(t, s, "ann", store.RoleAdmin)
	bob := newUser(t, s, "bob", store.RoleUser)
	log := func(user, actor int64, event, detail string) {
		t.Helper()
		if err := a.Append(ctx, &store.Activity{UserID: user, ActorID: actor, Event: event, Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	log(bob.ID, 0, store.EventUserCreated, "command line")     // listed: the command line is an actor too
	log(bob.ID, bob.ID, store.EventSignIn, "")                 // not an admin action
	log(bob.ID, bob.ID, store.EventEmailChanged, "own")        // the user's own change
	log(bob.ID, ann.ID, store.EventEmailChanged, "ann's")      // listed
	log(root.ID, root.ID, store.EventEmailChanged, "root own") // listed: an admin's

	// Ann changes bob's role and deletes his account, then loses her role:
	// her actions stay in the trail.
	if _, err := a.SetRole(ctx, bob.ID, store.RoleUser, &store.Activity{ActorID: ann.ID, Event: store.EventRoleChanged}); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteUser(ctx, bob.ID, &store.Activity{ActorID: ann.ID, Event: store.EventUserDeleted}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetRole(ctx, ann.ID, store.RoleUser, &store.Activity{ActorID: root.ID, Event: store.EventRoleChanged}); err != nil {
		t.Fatal(err)
	}
	got, err := s.AdminActions(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		event, actor, user, detail string
	}
	want := []row{
		{store.EventRoleChanged, "root", "ann", ""},
		{store.EventUserDeleted, "ann", "", ""},
		{store.EventRoleChanged, "ann", "", ""},
		{store.EventEmailChanged, "root", "root", "root own"},
		{store.EventEmailChanged, "ann", "", "ann's"},
		{store.EventUserCreated, "", "", "command line"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d actions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := row{got[i].Event, got[i].ActorName, got[i].UserName, got[i].Detail}
		if g != w {
			t.Errorf("action %d: %+v, want %+v", i, g, w)
		}
	}
	if got[1].UserID != bob.ID || got[1].ActorID != ann.ID {
		t.Fatalf("ids: user %d actor %d", got[1].UserID, got[1].ActorID)
	}
	if few, _ := s.AdminActions(ctx, 2); len(few) != 2 || few[0].ID != got[0].ID {
		t.Fatal("the limit does not keep the newest")
	}
}
