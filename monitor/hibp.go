package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"pcmt/hibp"
	"pcmt/store"
)

// HIBPWatch follows Have I Been Pwned's breach list. A breach that appears
// in it becomes a local breach without records, and every user with a
// watchlist is queued for a recheck. The recheck cannot run while the user
// is away: watched values are encrypted to the user's own key, so only
// their session can send them to HIBP's breachedaccount. It runs at their
// next visit, and its alerts and mail are those of an import.
type HIBPWatch struct {
	st      *store.Store
	client  *hibp.Client
	matcher *Matcher
	log     *slog.Logger
	now     func() time.Time
}

// NewHIBPWatch watches HIBP's list with client; alerts go through matcher.
func NewHIBPWatch(st *store.Store, client *hibp.Client, matcher *Matcher, log *slog.Logger) *HIBPWatch {
	return &HIBPWatch{st: st, client: client, matcher: matcher, log: log, now: time.Now}
}

// Check reads HIBP's breach list once and records the breaches new in it;
// the first check only notes the list. It returns how many were new.
func (w *HIBPWatch) Check(ctx context.Context) (int, error) {
	list, err := w.client.Breaches(ctx)
	if err != nil {
		return 0, fmt.Errorf("monitor: hibp breaches: %w", err)
	}
	known, err := w.st.HIBPBreaches(ctx)
	if err != nil {
		return 0, err
	}
	var fresh []store.Breach
	for _, b := range list {
		if _, ok := known[b.Name]; !ok {
			fresh = append(fresh, store.Breach{Name: b.Name, Title: b.Title, Domain: b.Domain, Date: b.BreachDate.Time,
				IsVerified: b.IsVerified, DataClasses: b.DataClasses, Emails: b.PwnCount})
		}
	}
	seed := len(known) == 0
	if err := w.st.AddHIBPBreaches(ctx, fresh, seed, w.now()); err != nil {
		return 0, err
	}
	if seed {
		return 0, nil
	}
	return len(fresh), nil
}

// Run checks every interval until ctx ends, the first time after a minute.
func (w *HIBPWatch) Run(ctx context.Context, every time.Duration) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := w.Check(ctx); err != nil {
			w.log.Warn("checking HIBP's breach list", "err", err)
		} else if n > 0 {
			w.log.Info("new breaches in HIBP's list", "count", n)
		}
		t.Reset(every)
	}
}

// Watched is one of a user's values, decrypted by their session.
type Watched struct {
	ItemID int64
	Value  string
}

// Recheck asks HIBP about a user's values after new breaches appeared in
// its list, records an alert for each value found in one of them and
// queues the mail. It needs an API key; without one it does nothing. It
// asks on the user's behalf: the answers are cached for them alone, never
// for another user who watches or searches the same value.
func (w *HIBPWatch) Recheck(ctx context.Context, userID int64, values []Watched) (int64, error) {
	if !w.client.HasKey() || len(values) == 0 {
		return 0, nil
	}
	known, err := w.st.HIBPBreaches(ctx)
	if err != nil {
		return 0, err
	}
	var alerts []store.NewAlert
	for _, v := range values {
		found, err := w.client.BreachedAccount(ctx, userID, v.Value)
		if err != nil {
			return 0, fmt.Errorf("monitor: hibp recheck: %w", err)
		}
		for _, b := range found {
			if id := known[b.Name]; id != 0 {
				alerts = append(alerts, store.NewAlert{UserID: userID, BreachID: id, WatchItemID: v.ItemID})
			}
		}
	}
	if len(alerts) == 0 {
		return 0, nil
	}
	n, err := w.st.RecordAlerts(ctx, alerts, w.now())
	if err != nil {
		return 0, err
	}
	if _, err := w.matcher.SendDue(ctx); err != nil {
		return n, err
	}
	return n, nil
}
