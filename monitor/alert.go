package monitor

import (
	"context"
	"fmt"
	"strings"

	"pcmt/store"
)

// SendDue queues one e-mail per user with alerts still to be mailed, and
// returns how many it queued. A mail names the breaches, never the watched
// value: it goes to the account's address, which may not be the one watched.
func (m *Matcher) SendDue(ctx context.Context) (int, error) {
	due, err := m.store.DueAlertMails(ctx)
	if err != nil {
		return 0, fmt.Errorf("monitor: %w", err)
	}
	queued := 0
	for _, d := range due {
		ok, err := m.store.QueueAlertMail(ctx, d, AlertMail(d.Breaches), m.now())
		if err != nil {
			return queued, fmt.Errorf("monitor: mail user %d: %w", d.UserID, err)
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// AlertMail is the plain-text mail telling a user that something they watch
// is in newly added breaches.
func AlertMail(breaches []string) store.OutboxMail {
	subject := "Something you watch is in a new breach"
	if len(breaches) > 1 {
		subject = fmt.Sprintf("Something you watch is in %d new breaches", len(breaches))
	}
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	if len(breaches) == 1 {
		b.WriteString("One of your watched addresses or usernames appears in a breach just added to pcmt:\n\n")
	} else {
		b.WriteString("Your watched addresses or usernames appear in breaches just added to pcmt:\n\n")
	}
	for _, t := range breaches {
		b.WriteString("  - ")
		b.WriteString(oneLine(t))
		b.WriteString("\n")
	}
	b.WriteString("\nSign in to see which of your watched values each breach holds and what else leaked.\n")
	b.WriteString("If a password of yours could be among it, change it wherever you used it.\n\n")
	b.WriteString("You get this mail because e-mail alerts are on in your watchlist; you can turn them off there.\n")
	return store.OutboxMail{Subject: subject, BodyText: b.String()}
}

// oneLine keeps a breach title from breaking the mail's layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
