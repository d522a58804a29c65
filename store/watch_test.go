package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func digest32(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func addItem(t *testing.T, s *store.Store, user int64, d []byte) int64 {
	t.Helper()
	id, err := s.AddWatchItem(context.Background(), store.WatchItem{UserID: user, Kind: store.RecordEmail,
		Ciphertext: []byte("sealed"), Digest: d}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// oneBreach imports a breach holding the given e-mail record digests.
func oneBreach(t *testing.T, s *store.Store, name string, digests ...[]byte) int64 {
	t.Helper()
	ids, err := s.ImportBreaches(context.Background(), []store.NewBreach{{
		Breach:  store.Breach{Name: name, Title: name + " title"},
		Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, digests)},
	}}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func TestWatchItems(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice, bob := newUser(t, s, "alice", store.RoleUser), newUser(t, s, "bob", store.RoleUser)
	a1 := addItem(t, s, alice.ID, digest32(1))
	addItem(t, s, bob.ID, digest32(1)) // the same value, another user: fine

	if _, err := s.AddWatchItem(ctx, store.WatchItem{UserID: alice.ID, Kind: store.RecordEmail,
		Ciphertext: []byte("x"), Digest: digest32(1)}, time.Now()); !errors.Is(err, store.ErrWatchDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	items, err := s.WatchItems(ctx, alice.ID)
	if err != nil || len(items) != 1 || items[0].ID != a1 || string(items[0].Ciphertext) != "sealed" {
		t.Fatalf("items %+v, %v", items, err)
	}
	if n, err := s.CountWatchItems(ctx, alice.ID); err != nil || n != 1 {
		t.Fatalf("count: %d, %v", n, err)
	}
	if _, err := s.WatchItem(ctx, bob.ID, a1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user's item: %v", err)
	}
	if err := s.DeleteWatchItem(ctx, bob.ID, a1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting another user's item: %v", err)
	}
	for i := 2; i <= store.MaxWatchItems; i++ {
		addItem(t, s, alice.ID, digest32(byte(i)))
	}
	if _, err := s.AddWatchItem(ctx, store.WatchItem{UserID: alice.ID, Kind: store.RecordUsername,
		Ciphertext: []byte("x"), Digest: digest32(200)}, time.Now()); !errors.Is(err, store.ErrWatchlistFull) {
		t.Fatalf("past the limit: %v", err)
	}
	refs, err := s.WatchRefs(ctx)
	if err != nil || len(refs) != store.MaxWatchItems+1 {
		t.Fatalf("%d refs, %v", len(refs), err)
	}
	if err := s.DeleteWatchItem(ctx, alice.ID, a1); err != nil {
		t.Fatal(err)
	}
	if err := audit(s).DeleteUser(ctx, bob.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatal(err)
	}
	if refs, _ := s.WatchRefs(ctx); len(refs) != store.MaxWatchItems-1 {
		t.Fatalf("%d refs after deletes", len(refs))
	}
}

func TestEachAccountRecordStreamsInOrder(t *testing.T) {
	s := storetest.New(t)
	id := oneBreach(t, s, "b", digest32(1), digest32(2), digest32(3))
	var got [][]byte
	err := s.EachAccountRecord(context.Background(), id, func(k store.RecordKind, d []byte) error {
		if k != store.RecordEmail {
			t.Errorf("kind %d", k)
		}
		got = append(got, bytes.Clone(d))
		return nil
	})
	if err != nil || len(got) != 3 || got[0][0] != 1 || got[2][0] != 3 {
		t.Fatalf("records %x, %v", got, err)
	}
	stop := errors.New("stop")
	if err := s.EachAccountRecord(context.Background(), id, func(store.RecordKind, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: %v", err)
	}
}

func TestAlerts(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice, bob := newUser(t, s, "alice", store.RoleUser), newUser(t, s, "bob", store.RoleUser)
	ai, bi := addItem(t, s, alice.ID, digest32(1)), addItem(t, s, bob.ID, digest32(1))
	b1 := oneBreach(t, s, "first", digest32(1))
	b2 := oneBreach(t, s, "second", digest32(1))

	alerts := []store.NewAlert{
		{UserID: alice.ID, BreachID: b1, WatchItemID: ai},
		{UserID: alice.ID, BreachID: b2, WatchItemID: ai},
		{UserID: bob.ID, BreachID: b1, WatchItemID: bi, KnownAtAdd: true},
		{UserID: bob.ID, BreachID: b1, WatchItemID: ai}, // not bob's item: dropped
	}
	n, err := s.RecordAlerts(ctx, alerts, time.Now())
	if err != nil || n != 3 {
		t.Fatalf("%d new alerts, %v", n, err)
	}
	if n, err := s.RecordAlerts(ctx, alerts, time.Now()); err != nil || n != 0 {
		t.Fatalf("again: %d new alerts, %v", n, err)
	}
	due, err := s.DueAlertMails(ctx)
	if err != nil || len(due) != 1 || due[0].UserID != alice.ID || len(due[0].AlertIDs) != 2 ||
		fmt.Sprint(due[0].Breaches) != "[second title first title]" && fmt.Sprint(due[0].Breaches) != "[first title second title]" {
		t.Fatalf("due %+v, %v", due, err)
	}
	if ok, err := s.QueueAlertMail(ctx, due[0], store.OutboxMail{To: due[0].To, Subject: "s", BodyText: "b"}, time.Now()); !ok || err != nil {
		t.Fatalf("queue: %v %v", ok, err)
	}
	if ok, err := s.QueueAlertMail(ctx, due[0], store.OutboxMail{To: due[0].To, Subject: "s", BodyText: "b"}, time.Now()); ok || err != nil {
		t.Fatalf("queued twice: %v %v", ok, err)
	}
	if n, _ := s.PendingMailCount(ctx); n != 1 {
		t.Fatalf("%d mails", n)
	}

	if n, _ := s.UnseenAlertCount(ctx, alice.ID); n != 2 {
		t.Fatalf("alice: %d unseen", n)
	}
	if n, _ := s.UnseenAlertCount(ctx, bob.ID); n != 0 {
		t.Fatalf("bob: %d unseen (known at add time is seen)", n)
	}
	list, err := s.AlertsFor(ctx, alice.ID, 10)
	if err != nil || len(list) != 2 || list[0].Breach.Name == "" || list[0].Kind != store.RecordEmail ||
		list[0].Mail != store.AlertMailed || list[0].KnownAtAdd {
		t.Fatalf("alerts %+v, %v", list, err)
	}
	if n, err := s.MarkAlertsSeen(ctx, alice.ID, min(list[0].ID, list[1].ID), time.Now()); err != nil || n != 1 {
		t.Fatalf("marked %d up to the older alert, %v", n, err)
	}
	if n, _ := s.UnseenAlertCount(ctx, alice.ID); n != 1 {
		t.Fatalf("alice: %d unseen, want the alert past the bound", n)
	}
	if n, err := s.MarkAlertsSeen(ctx, alice.ID, max(list[0].ID, list[1].ID), time.Now()); err != nil || n != 1 {
		t.Fatalf("marked %d, %v", n, err)
	}
	if n, _ := s.UnseenAlertCount(ctx, alice.ID); n != 0 {
		t.Fatalf("alice: %d unseen after marking", n)
	}

	// A breach deleted takes its alerts along.
	if err := audit(s).DeleteBreach(ctx, b1, entry(store.EventBreachDeleted)); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.AlertsFor(ctx, alice.ID, 10); len(list) != 1 || list[0].Breach.ID != b2 {
		t.Fatalf("after deleting a breach: %+v", list)
	}
}

func TestAlertsOfUsersWithoutMail(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	on, err := s.EmailAlerts(ctx, alice.ID)
	if err != nil || !on {
		t.Fatalf("default e-mail alerts: %v, %v", on, err)
	}
	if err := s.SetEmailAlerts(ctx, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.EmailAlerts(ctx, alice.ID); on {
		t.Fatal("e-mail alerts still on")
	}
	item := addItem(t, s, alice.ID, digest32(7))
	b := oneBreach(t, s, "b", digest32(7))
	if n, err := s.RecordAlerts(ctx, []store.NewAlert{{UserID: alice.ID, BreachID: b, WatchItemID: item}}, time.Now()); err != nil || n != 1 {
		t.Fatalf("%d, %v", n, err)
	}
	if due, _ := s.DueAlertMails(ctx); len(due) != 0 {
		t.Fatalf("mail due for a user who turned e-mail off: %+v", due)
	}
	if n, _ := s.UnseenAlertCount(ctx, alice.ID); n != 1 {
		t.Fatalf("%d unseen: the alert still shows in the app", n)
	}
}
