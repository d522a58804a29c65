package account

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy means no scrypt slot came free within the vault's wait: the
// caller should answer "busy, try again" rather than hang.
var ErrBusy = errors.New("account: every key slot is busy")

// VaultOptions tune a Vault; zero fields take the defaults.
type VaultOptions struct {
	// WorkFactor is the scrypt work factor (2^N) of new wraps.
	WorkFactor int
	// Slots bounds the scrypt runs at once (each takes 128 MiB at N=17);
	// 2.
	Slots int
	// MaxWait bounds how long a caller waits for a slot, its account's
	// turn included, before ErrBusy; 10 s.
	MaxWait time.Duration
	// InSlot, when set, is called each time a run holds its slot, before
	// it runs, with the account's id (0 for a wrap): tests hold slots
	// with it to see who gets one.
	InSlot func(userID int64)
}

// slots hands out the scrypt slots: Slots at once over the whole process,
// one at a time per account, each waited for at most maxWait. An account
// whose sign-ins pile up (a user retrying, or someone guessing at it) so
// holds at most one slot and queues behind itself, never in front of
// other accounts.
type slots struct {
	global  chan struct{}
	maxWait time.Duration
	inSlot  func(int64)

	mu       sync.Mutex
	accounts map[int64]*accountTurn
}

// accountTurn is one account's single slot and how many callers want it.
type accountTurn struct {
	ch    chan struct{}
	users int
}

func newSlots(o VaultOptions) slots {
	if o.Slots <= 0 {
		o.Slots = 2
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	return slots{global: make(chan struct{}, o.Slots), maxWait: o.MaxWait, inSlot: o.InSlot,
		accounts: map[int64]*accountTurn{}}
}

// acquire waits for userID's turn (unless 0) and then a process slot, at
// most maxWait in all, and returns the function that gives both back.
func (s *slots) acquire(ctx context.Context, userID int64) (func(), error) {
	timer := time.NewTimer(s.maxWait)
	defer timer.Stop()
	var turn *accountTurn
	if userID != 0 {
		turn = s.turn(userID)
		if err := wait(ctx, timer, turn.ch); err != nil {
			s.leave(userID, turn, false)
			return nil, err
		}
	}
	if err := wait(ctx, timer, s.global); err != nil {
		if turn != nil {
			s.leave(userID, turn, true)
		}
		return nil, err
	}
	if s.inSlot != nil {
		s.inSlot(userID)
	}
	return func() {
		<-s.global
		if turn != nil {
			s.leave(userID, turn, true)
		}
	}, nil
}

// wait takes a place in ch, or gives up when timer or ctx ends first.
func wait(ctx context.Context, timer *time.Timer, ch chan struct{}) error {
	select {
	case ch <- struct{}{}:
		return nil
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("account: waiting for a key slot: %w", ctx.Err())
	}
}

// turn returns userID's turn, counting the caller among those who want it.
func (s *slots) turn(userID int64) *accountTurn {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.accounts[userID]
	if t == nil {
		t = &accountTurn{ch: make(chan struct{}, 1)}
		s.accounts[userID] = t
	}
	t.users++
	return t
}

// leave gives userID's turn back when held, and forgets the account when
// nobody else wants it, so that the map holds only accounts being unlocked.
func (s *slots) leave(userID int64, t *accountTurn, held bool) {
	if held {
		<-t.ch
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.users--; t.users == 0 {
		delete(s.accounts, userID)
	}
}
