package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	t0 := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

	first, err := s.EnqueueMail(ctx, store.OutboxMail{UserID: alice.ID, To: alice.Email,
		Subject: "New breach", BodyText: "text", BodyHTML: "<p>html</p>"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.EnqueueMail(ctx, store.OutboxMail{To: "admin@example.org", Subject: "Hello", BodyText: "t"},
		t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.MailByID(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if m.UserID != alice.ID || m.To != alice.Email || m.Subject != "New breach" || m.BodyText != "text" ||
		m.BodyHTML != "<p>html</p>" || !m.CreatedAt.Equal(t0) || !m.NextAttemptAt.Equal(t0) ||
		m.Attempts != 0 || !m.SentAt.IsZero() {
		t.Fatalf("stored mail %+v", m)
	}

	// Only what is due, oldest first, within the limit.
	if due, err := s.DueMail(ctx, t0, 10); err != nil || len(due) != 1 || due[0].ID != first {
		t.Fatalf("due at t0: %+v, %v", due, err)
	}
	if due, _ := s.DueMail(ctx, t0.Add(time.Minute), 1); len(due) != 1 || due[0].ID != first {
		t.Fatalf("due with limit 1: %+v", due)
	}
	if n, _ := s.PendingMailCount(ctx); n != 2 {
		t.Fatalf("pending = %d, want 2", n)
	}

	// A failure counts an attempt, keeps the error and holds the mail back.
	later := t0.Add(time.Hour)
	if err := s.MarkMailFailed(ctx, first, "dial: connection refused", later); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMail(ctx, t0.Add(time.Minute), 10); len(due) != 1 || due[0].ID != second {
		t.Fatalf("due after failure: %+v", due)
	}
	m, _ = s.MailByID(ctx, first)
	if m.Attempts != 1 || m.LastError != "dial: connection refused" || !m.NextAttemptAt.Equal(later) {
		t.Fatalf("failed mail %+v", m)
	}
	if err := s.MarkMailFailed(ctx, first, strings.Repeat("x", 5000), later); err != nil {
		t.Fatal(err)
	}
	if m, _ = s.MailByID(ctx, first); m.Attempts != 2 || len(m.LastError) != 1000 {
		t.Fatalf("second failure: attempts %d, error of %d bytes", m.Attempts, len(m.LastError))
	}

	// Sent: no longer due nor pending; marking again keeps the first time.
	if err := s.MarkMailSent(ctx, first, later); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailSent(ctx, first, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	m, _ = s.MailByID(ctx, first)
	if !m.SentAt.Equal(later) || m.LastError != "" {
		t.Fatalf("sent mail %+v", m)
	}
	if due, _ := s.DueMail(ctx, later.Add(24*time.Hour), 10); len(due) != 1 || due[0].ID != second {
		t.Fatalf("due after sending: %+v", due)
	}
	if n, _ := s.PendingMailCount(ctx); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	// A sent mail cannot fail afterwards; an unknown id is not found.
	if err := s.MarkMailFailed(ctx, first, "late", later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("failing a sent mail: %v, want ErrNotFound", err)
	}
	if err := s.MarkMailSent(ctx, 999, later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("sending an unknown mail: %v, want ErrNotFound", err)
	}

	// Pruning removes sent mail before the cutoff only.
	if n, err := s.PruneSentMail(ctx, later); err != nil || n != 0 {
		t.Fatalf("prune before send time: %d, %v", n, err)
	}
	if n, err := s.PruneSentMail(ctx, later.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("prune: %d, %v", n, err)
	}
	if _, err := s.MailByID(ctx, first); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pruned mail still there: %v", err)
	}
	if _, err := s.MailByID(ctx, second); err != nil {
		t.Fatalf("unsent mail pruned: %v", err)
	}
}

func TestOutboxGoesWithItsUser(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	bob := newUser(t, s, "bob", store.RoleUser)
	newUser(t, s, "admin", store.RoleAdmin)
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	id, err := s.EnqueueMail(ctx, store.OutboxMail{UserID: bob.ID, To: bob.Email, Subject: "s", BodyText: "b"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit(s).DeleteUser(ctx, bob.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MailByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted user's mail is still queued: %v", err)
	}
}
