package watch

import (
	"context"
	"errors"

	"pcmt/account"
	"pcmt/store"
)

// Add adds a value a user typed to their watchlist: encrypted to their
// key, stored with its keyed digest, and looked up in the breaches already
// here, which are recorded as alerts known at add time (shown, not
// mailed). A value the rules turn down is a *Refused: Invalid, ErrNoKey,
// Duplicate or Full, checked in that order.
func (s *Service) Add(ctx context.Context, user *store.User, typed string) (Item, error) {
	value := Clean(typed)
	if r := check(value); r != nil {
		return Item{}, r
	}
	if !user.HasVault() {
		return Item{}, ErrNoKey
	}
	ciphertext, err := account.Encrypt(user.AgeRecipient, []byte(value))
	if err != nil {
		return Item{}, err
	}
	v := s.matcher.Watch(value)
	it := Item{Kind: v.Kind, Added: s.now()}
	it.ID, err = s.store.AddWatchItem(ctx, store.WatchItem{UserID: user.ID, Kind: v.Kind, Ciphertext: ciphertext,
		Digest: v.Digest}, it.Added)
	switch {
	case errors.Is(err, store.ErrWatchDuplicate):
		return Item{}, &Refused{Reason: Duplicate, Message: store.ErrWatchDuplicate.Message}
	case errors.Is(err, store.ErrWatchlistFull):
		return Item{}, &Refused{Reason: Full, Message: store.ErrWatchlistFull.Message}
	case err != nil:
		return Item{}, err
	}
	it.Found, err = s.matcher.MatchItem(ctx, user.ID, it.ID, v.Record)
	return it, err
}

// Remove removes one of a user's values and its alerts. Another user's
// item does not exist for this one: store.ErrNotFound.
func (s *Service) Remove(ctx context.Context, userID, itemID int64) error {
	return s.store.DeleteWatchItem(ctx, userID, itemID)
}

// EmailAlerts says whether the user's alerts come by mail as well.
func (s *Service) EmailAlerts(ctx context.Context, userID int64) (bool, error) {
	return s.store.EmailAlerts(ctx, userID)
}

// SetEmailAlerts turns the user's alert mails on or off; the alerts show
// on their pages either way.
func (s *Service) SetEmailAlerts(ctx context.Context, userID int64, on bool) error {
	return s.store.SetEmailAlerts(ctx, userID, on)
}

// MarkSeen marks the user's alerts up to through, the newest one a page
// showed, seen at the Service's clock: alerts raised since stay new.
func (s *Service) MarkSeen(ctx context.Context, userID, through int64) error {
	_, err := s.store.MarkAlertsSeen(ctx, userID, through, s.now())
	return err
}
