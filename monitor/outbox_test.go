package monitor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/monitor"
	"pcmt/monitor/smtptest"
	"pcmt/store"
	"pcmt/store/storetest"
)

// clock is a settable time for the outbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func testLog(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(t.Output(), nil)) }

func TestOutboxSurvivesAnOutage(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	clk := &clock{t: testNow}

	// The mail server's port, with nothing listening on it yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m := newMailerTLS(t, nil, smtptest.MailerAt(addr, monitor.ProtocolSMTPS))
	ob := monitor.NewOutbox(st, m, testLog(t), monitor.OutboxOptions{Now: clk.Now})

	id, err := ob.Enqueue(ctx, 0, monitor.Message{To: "alice@example.org", Subject: "New breach", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	// Two failed passes: each counts an attempt and doubles the wait.
	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		sent, failed, err := ob.SendDue(ctx)
		if err != nil || sent != 0 || failed != 1 {
			t.Fatalf("pass during outage: sent %d failed %d, %v", sent, failed, err)
		}
		mail, _ := st.MailByID(ctx, id)
		if mail.Attempts != attempt+1 || !mail.NextAttemptAt.Equal(clk.Now().Add(wait)) ||
			mail.LastError == "" || !mail.SentAt.IsZero() {
			t.Fatalf("after failure %d: %+v", attempt+1, mail)
		}
		// Not due again before its time.
		if sent, failed, _ := ob.SendDue(ctx); sent+failed != 0 {
			t.Fatalf("retried before the backoff: sent %d failed %d", sent, failed)
		}
		clk.Advance(wait)
	}
	if n, _ := st.PendingMailCount(ctx); n != 1 {
		t.Fatalf("pending %d during the outage, want 1", n)
	}

	// The server comes back on the same port.
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	up := smtptest.Serve(t, l, smtptest.SMTPS)
	m = newMailer(t, up, up.Mailer(monitor.ProtocolSMTPS))
	ob = monitor.NewOutbox(st, m, testLog(t), monitor.OutboxOptions{Now: clk.Now})
	if sent, failed, err := ob.SendDue(ctx); err != nil || sent != 1 || failed != 0 {
		t.Fatalf("pass after the outage: sent %d failed %d, %v", sent, failed, err)
	}
	clk.Advance(time.Hour)
	if sent, failed, _ := ob.SendDue(ctx); sent+failed != 0 {
		t.Fatalf("a sent mail was tried again: sent %d failed %d", sent, failed)
	}
	if got := up.Messages(); len(got) != 1 || !bytes.Contains(got[0].Data, []byte("Subject: [pcmt] New breach\r\n")) {
		t.Fatalf("server got %d messages: %q", len(got), got)
	}
	mail, _ := st.MailByID(ctx, id)
	if !mail.SentAt.Equal(testNow.Add(3*time.Minute)) || mail.Attempts != 2 || mail.LastError != "" {
		t.Fatalf("sent mail %+v", mail)
	}
	if n, _ := st.PendingMailCount(ctx); n != 0 {
		t.Fatalf("pending %d after delivery", n)
	}
}

func TestOutboxRunSendsAtStartOnKickAndInBatches(t *testing.T) {
	st := storetest.New(t)
	ts := smtptest.Start(t, smtptest.STARTTLS)
	m := newMailer(t, ts, ts.Mailer(monitor.ProtocolSTARTTLS))
	// An hour's tick: only the start-up pass and Kick can send in time.
	ob := monitor.NewOutbox(st, m, testLog(t), monitor.OutboxOptions{Tick: time.Hour, Batch: 2})
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if p, _ := st.PendingMailCount(context.Background()); p == 0 && len(ts.Messages()) == n {
				return
			}
		}
		t.Fatalf("server got %d of %d messages", len(ts.Messages()), n)
	}
	enqueue := func(ctx context.Context, n int, kick bool) {
		t.Helper()
		for i := range n {
			msg := store.OutboxMail{To: "alice@example.org", Subject: fmt.Sprint("n", i), BodyText: "t"}
			var err error
			if kick {
				_, err = ob.Enqueue(ctx, 0, monitor.Message{To: msg.To, Subject: msg.Subject, Text: msg.BodyText})
			} else {
				_, err = st.EnqueueMail(ctx, msg, time.Now())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	// Left from before a restart: sent by the start-up pass.
	enqueue(context.Background(), 1, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ob.Run(ctx) }()
	waitFor(1)
	// Queued while running: Enqueue kicks the worker.
	enqueue(ctx, 3, true)
	waitFor(4)
	cancel()
	<-done

	// One pass goes through every due mail, batch after batch.
	enqueue(context.Background(), 5, false)
	if sent, failed, err := ob.SendDue(context.Background()); sent != 5 || failed != 0 || err != nil {
		t.Fatalf("pass over 5 mails in batches of 2: sent %d failed %d, %v", sent, failed, err)
	}
	waitFor(9)
}

func TestOutboxKeepsMailWhileDisabled(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	m, err := monitor.NewMailer(config.Mailer{})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ob := monitor.NewOutbox(st, m, slog.New(slog.NewTextHandler(&logs, nil)), monitor.OutboxOptions{})
	id, err := ob.Enqueue(ctx, 0, monitor.Message{To: "alice@example.org", Subject: "s", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if sent, failed, err := ob.SendDue(ctx); sent+failed != 0 || err != nil {
			t.Fatalf("disabled pass: sent %d failed %d, %v", sent, failed, err)
		}
	}
	mail, err := st.MailByID(ctx, id)
	if err != nil || mail.Attempts != 0 || !mail.SentAt.IsZero() {
		t.Fatalf("queued mail %+v, %v", mail, err)
	}
	if n := strings.Count(logs.String(), "mailer disabled"); n != 1 {
		t.Fatalf("logged the disabled mailer %d times:\n%s", n, logs.String())
	}
	// Header injection is refused at the door, not retried for ever.
	_, err = ob.Enqueue(ctx, 0, monitor.Message{To: "alice@example.org", Subject: "s\r\nBcc: eve@example.org", Text: "t"})
	if !errors.Is(err, monitor.ErrInvalidMessage) {
		t.Fatalf("Enqueue with a line break in the subject: %v", err)
	}
	if n, _ := st.PendingMailCount(ctx); n != 1 {
		t.Fatalf("pending %d, want 1", n)
	}
}
