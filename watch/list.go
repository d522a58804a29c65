package watch

import (
	"context"
	"errors"
	"time"

	"pcmt/account"
	"pcmt/store"
)

// maxAlerts bounds the alerts a listing reads: every breach of a full
// watchlist in all but extreme cases.
const maxAlerts = 200 * store.MaxWatchItems

// Item is one watched value, without the value.
type Item struct {
	ID    int64
	Kind  store.RecordKind
	Added time.Time
	// Found are the breaches it was found in, in the order of its alerts.
	Found []store.Breach
}

// Read is an item as its user's session reads it.
type Read struct {
	Item
	// Value is the value the user typed; empty when Unreadable.
	Value string
	// Unreadable: the value is encrypted to a key an admin reset
	// discarded. It is still matched.
	Unreadable bool
}

// List lists a user's items with the breaches each was found in, but not
// the values, which only the user's session reads (see Read): what a
// token sees.
func (s *Service) List(ctx context.Context, userID int64) ([]Item, error) {
	items, _, err := s.list(ctx, userID)
	return items, err
}

// Read lists a user's items with their values, decrypted with the key of
// the session with idHash: ErrLocked when it holds none.
func (s *Service) Read(ctx context.Context, userID int64, idHash []byte) ([]Read, error) {
	items, ciphertexts, err := s.list(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Read, 0, len(items))
	for i, it := range items {
		r := Read{Item: it}
		plain, err := s.vault.Decrypt(idHash, ciphertexts[i])
		switch {
		case errors.Is(err, account.ErrLocked):
			return nil, ErrLocked
		case err != nil:
			r.Unreadable = true
		default:
			r.Value = string(plain)
		}
		out = append(out, r)
	}
	return out, nil
}

// list is a user's items and, beside each, its ciphertext.
func (s *Service) list(ctx context.Context, userID int64) ([]Item, [][]byte, error) {
	stored, err := s.store.WatchItems(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	alerts, err := s.store.AlertsFor(ctx, userID, maxAlerts)
	if err != nil {
		return nil, nil, err
	}
	found := map[int64][]store.Breach{}
	for _, a := range alerts {
		found[a.WatchItemID] = append(found[a.WatchItemID], a.Breach)
	}
	items := make([]Item, len(stored))
	ciphertexts := make([][]byte, len(stored))
	for i, it := range stored {
		items[i] = Item{ID: it.ID, Kind: it.Kind, Added: it.CreatedAt, Found: found[it.ID]}
		ciphertexts[i] = it.Ciphertext
	}
	return items, ciphertexts, nil
}

// TokenSees says whether token t may see that a value watched since added
// is in breach b. The breaches that held the value when it was added
// (known at once, or found later by an HIBP recheck that asked about every
// breach of HIBP's list) are what a search for it finds: only a token with
// the search scope sees them, or the watchlist scopes alone would make a
// search, by adding a value and reading its breaches back. A breach that
// reached this instance after the value was added is what watching it
// found, the news the user is mailed about: a token that may read the
// watchlist sees it, since nobody can make a breach arrive by adding a
// value.
func TokenSees(t *store.Token, added time.Time, b *store.Breach) bool {
	return t.HasScope(store.ScopeSearch) || b.AddedAt.After(added)
}

// SeenBy are the breaches of it that token t may see (TokenSees), never
// nil.
func (it Item) SeenBy(t *store.Token) []store.Breach {
	out := make([]store.Breach, 0, len(it.Found))
	for i := range it.Found {
		if TokenSees(t, it.Added, &it.Found[i]) {
			out = append(out, it.Found[i])
		}
	}
	return out
}
