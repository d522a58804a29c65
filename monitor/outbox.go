package monitor

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"pcmt/store"
)

// OutboxOptions tune the outbox worker; zero fields take the defaults.
type OutboxOptions struct {
	Tick        time.Duration    // how often due mail is looked for; 30 s
	BackoffBase time.Duration    // the wait after a first failure, doubled after each; 1 min
	BackoffMax  time.Duration    // the longest wait between attempts; 6 h
	Batch       int              // mails read per query; 50
	Now         func() time.Time // the clock; time.Now
}

func (o OutboxOptions) withDefaults() OutboxOptions {
	if o.Tick <= 0 {
		o.Tick = 30 * time.Second
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = time.Minute
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 6 * time.Hour
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Outbox delivers the mail queued in the store. Mail is written to the
// outbox first and sent afterwards, so an outage of the mail server (or a
// disabled mailer, or a restart) delays mail but never loses it. Delivery is
// at least once: were the store to fail right after the server accepted a
// mail, that mail would go again.
type Outbox struct {
	st   *store.Store
	m    *Mailer
	log  *slog.Logger
	opts OutboxOptions

	kick          chan struct{}
	pass          sync.Mutex // one pass at a time: a mail is never sent twice at once
	warnedDisable atomic.Bool
}

// NewOutbox makes the worker that sends st's queued mail through m.
func NewOutbox(st *store.Store, m *Mailer, log *slog.Logger, opts OutboxOptions) *Outbox {
	return &Outbox{st: st, m: m, log: log, opts: opts.withDefaults(), kick: make(chan struct{}, 1)}
}

// Enqueue checks a message and queues it for userID (0 for none), then
// wakes the worker. A message that could never be sent (ErrInvalidMessage)
// is refused here rather than retried for ever.
func (o *Outbox) Enqueue(ctx context.Context, userID int64, msg Message) (int64, error) {
	if err := o.m.Check(msg); err != nil {
		return 0, err
	}
	id, err := o.st.EnqueueMail(ctx, store.OutboxMail{UserID: userID, To: msg.To, Subject: msg.Subject,
		BodyText: msg.Text, BodyHTML: msg.HTML}, o.opts.Now())
	if err != nil {
		return 0, err
	}
	o.Kick()
	return id, nil
}

// Kick wakes the worker at once, for mail just queued.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run sends due mail at start, on every tick and on every Kick until ctx
// ends. Errors are logged, never fatal: the mail stays queued.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(o.opts.Tick)
	defer t.Stop()
	for {
		if _, _, err := o.SendDue(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("outbox: pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.kick:
		}
	}
}

// SendDue makes one pass: every mail due now is tried once. A failure
// counts an attempt and holds the mail back by the backoff; a disabled
// mailer leaves everything queued as it is.
func (o *Outbox) SendDue(ctx context.Context) (sent, failed int, err error) {
	o.pass.Lock()
	defer o.pass.Unlock()
	if !o.m.Enabled() {
		if !o.warnedDisable.Swap(true) {
			n, _ := o.st.PendingMailCount(ctx)
			o.log.Warn("outbox: mailer disabled, mail stays queued", "pending", n)
		}
		return 0, 0, nil
	}
	for {
		due, err := o.st.DueMail(ctx, o.opts.Now(), o.opts.Batch)
		if err != nil {
			return sent, failed, err
		}
		for _, m := range due {
			err := o.m.Send(ctx, Message{To: m.To, Subject: m.Subject, Text: m.BodyText, HTML: m.BodyHTML})
			if ctx.Err() != nil {
				// Shutting down is not the mail's fault: no attempt counted.
				return sent, failed, ctx.Err()
			}
			if err != nil {
				failed++
				if err := o.fail(ctx, m, err); err != nil {
					return sent, failed, err
				}
				continue
			}
			if err := o.st.MarkMailSent(ctx, m.ID, o.opts.Now()); err != nil {
				return sent, failed, err
			}
			sent++
		}
		// Failed mail moved to the future and sent mail left, so a full
		// batch means more may be due.
		if len(due) < o.opts.Batch {
			return sent, failed, nil
		}
	}
}

// fail records a failed attempt at m and when to try again.
func (o *Outbox) fail(ctx context.Context, m store.OutboxMail, sendErr error) error {
	next := o.opts.Now().Add(o.backoff(m.Attempts))
	o.log.Warn("outbox: mail not sent", "mail_id", m.ID, "attempt", m.Attempts+1, "retry_at", next,
		"permanent", errors.Is(sendErr, ErrInvalidMessage), "err", sendErr)
	return o.st.MarkMailFailed(ctx, m.ID, sendErr.Error(), next)
}

// backoff is the wait after the failure that follows attempts earlier
// ones: BackoffBase doubled each time, at most BackoffMax.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.opts.BackoffBase
	for range attempts {
		if d >= o.opts.BackoffMax/2 {
			return o.opts.BackoffMax
		}
		d *= 2
	}
	return min(d, o.opts.BackoffMax)
}
