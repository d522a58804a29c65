// Package monitor matches breaches against the users' watchlists while they
// are away, and alerts them.
//
// A watched value is stored twice, neither time readable by the operator:
// encrypted to its user's own age key (for the user's eyes), and as a
// keyed digest for matching:
//
//	digest = HMAC-SHA256(MonitorSecret, kind || SHA-256(normalised value))
//
// where SHA-256(normalised value) is exactly the breach record digest
// (breach.EmailDigest, breach.UsernameDigest) and MonitorSecret lives only
// in the secrets file beside the database. A match pass computes the same
// HMAC over each record of a breach and looks it up among the watched
// digests: the database alone (a backup, a leaked volume) cannot test a
// single guess, and even with the secrets file the watched values cannot be
// listed, only guessed one at a time.
package monitor

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// DigestSize is the length of a watch digest.
const DigestSize = sha256.Size

// Matcher finds watched values in breaches and records alerts.
type Matcher struct {
	store  *store.Store
	secret []byte
	log    *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// New returns a matcher keyed with the instance's MonitorSecret.
func New(st *store.Store, secret []byte, log *slog.Logger) (*Matcher, error) {
	if len(secret) < 32 {
		return nil, errors.New("monitor: the monitor secret is missing or short")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Matcher{store: st, secret: secret, log: log}, nil
}

func (m *Matcher) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Digest is the watch digest of a breach record digest of kind.
func (m *Matcher) Digest(kind store.RecordKind, record []byte) []byte {
	mac := hmac.New(sha256.New, m.secret)
	mac.Write([]byte{byte(kind)})
	mac.Write(record)
	return mac.Sum(nil)
}

// Value is what the matcher makes of a value a user watches: its kind (an
// @ makes it an e-mail address), its breach record digest and its watch
// digest.
type Value struct {
	Kind   store.RecordKind
	Record []byte
	Digest []byte
}

// Watch digests a value a user types.
func (m *Matcher) Watch(value string) Value {
	kind, record := breach.AccountDigest(value)
	return Value{Kind: kind, Record: record, Digest: m.Digest(kind, record)}
}

// MatchBreach matches one breach against every watchlist; see MatchBreaches.
func (m *Matcher) MatchBreach(ctx context.Context, breachID int64) (int64, error) {
	return m.MatchBreaches(ctx, []int64{breachID})
}

// MatchBreaches matches breaches against every watchlist in one pass: the
// watched digests are loaded into memory once, each breach's e-mail and
// username records streamed in key order, the alerts stored in one
// transaction, and the mails due queued. It returns how many alerts are
// new; matching again finds the same and adds none.
func (m *Matcher) MatchBreaches(ctx context.Context, ids []int64) (int64, error) {
	refs, err := m.store.WatchRefs(ctx)
	if err != nil {
		return 0, fmt.Errorf("monitor: %w", err)
	}
	if len(refs) == 0 {
		return 0, nil
	}
	watched := make(map[[DigestSize]byte][]store.WatchRef, len(refs))
	for _, r := range refs {
		var k [DigestSize]byte
		copy(k[:], r.Digest)
		watched[k] = append(watched[k], r)
	}
	mac := hmac.New(sha256.New, m.secret)
	var kindByte [1]byte
	var sum [DigestSize]byte
	var alerts []store.NewAlert
	for _, id := range ids {
		err := m.store.EachAccountRecord(ctx, id, func(kind store.RecordKind, d []byte) error {
			mac.Reset()
			kindByte[0] = byte(kind)
			mac.Write(kindByte[:])
			mac.Write(d)
			mac.Sum(sum[:0])
			for _, r := range watched[sum] {
				alerts = append(alerts, store.NewAlert{UserID: r.UserID, BreachID: id, WatchItemID: r.ItemID})
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("monitor: breach %d: %w", id, err)
		}
	}
	var n int64
	if len(alerts) > 0 {
		if n, err = m.store.RecordAlerts(ctx, alerts, m.now()); err != nil {
			return 0, fmt.Errorf("monitor: %w", err)
		}
	}
	// Mails are queued apart from the alerts' transaction; any left due by
	// an earlier pass that stopped in between go out now.
	if _, err := m.SendDue(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// MatchItem finds the breaches that already hold an item a user has just
// added and records them as alerts known at add time: shown, not mailed.
// record is the value's breach record digest, which only the request that
// added it knows; it must agree with the item's stored digest.
func (m *Matcher) MatchItem(ctx context.Context, userID, itemID int64, record []byte) ([]store.Breach, error) {
	item, err := m.store.WatchItem(ctx, userID, itemID)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	if !hmac.Equal(m.Digest(item.Kind, record), item.Digest) {
		return nil, errors.New("monitor: the record digest does not belong to the item")
	}
	found, err := m.store.BreachesHolding(ctx, item.Kind, record)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	alerts := make([]store.NewAlert, len(found))
	for i, b := range found {
		alerts[i] = store.NewAlert{UserID: userID, BreachID: b.ID, WatchItemID: itemID, KnownAtAdd: true}
	}
	if _, err := m.store.RecordAlerts(ctx, alerts, m.now()); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	return found, nil
}

// AfterImport is breach.Importer's AfterBreaches hook: it matches the
// breaches an import stored. The import is committed by then, so a failure
// is logged, not returned.
func (m *Matcher) AfterImport(ctx context.Context, ids []int64) {
	start := time.Now()
	n, err := m.MatchBreaches(ctx, ids)
	if err != nil {
		m.log.Error("matching imported breaches against watchlists", "breaches", ids, "err", err)
		return
	}
	m.log.Info("matched imported breaches against watchlists", "breaches", len(ids), "new_alerts", n,
		"elapsed", time.Since(start).Round(time.Millisecond))
}
