// Package search looks accounts and passwords up in the instance's breaches
// and, when configured, in Have I Been Pwned. It answers with domain
// results (breaches, counts, what became of HIBP) that the search page
// renders and the APIs serialise, each in its own shape.
//
// Search terms are secrets of the user who types them: nothing here logs
// or stores them, and a password is hashed as soon as it is read.
package search

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/store"
)

// hibpTimeout bounds how long a search waits for Have I Been Pwned (its
// client may wait for its turn under the key's rate limit).
const hibpTimeout = 15 * time.Second

// HIBP says what became of Have I Been Pwned's part of a search.
type HIBP int

const (
	// HIBPOff: no client is configured (for accounts: or no API key).
	HIBPOff HIBP = iota
	// HIBPAsked: HIBP answered; its results are in.
	HIBPAsked
	// HIBPBusy: HIBP refused for its rate limit; local results only.
	HIBPBusy
	// HIBPFailed: HIBP could not be asked; local results only.
	HIBPFailed
)

// Failed says whether HIBP was to be asked and could not be: the results
// are local ones only, which a notice should say.
func (s HIBP) Failed() bool { return s == HIBPBusy || s == HIBPFailed }

// Searcher runs searches for users.
type Searcher struct {
	store *store.Store
	hibp  *hibp.Client // nil searches local data only
	log   *slog.Logger
	plans planCache
}

// New returns a Searcher over st; client nil searches local data only.
func New(st *store.Store, client *hibp.Client, log *slog.Logger) *Searcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Searcher{store: st, hibp: client, log: log}
}

// Account is what an account search found.
type Account struct {
	// Kind is what the account was taken for: RecordEmail when it holds
	// an @, RecordUsername otherwise.
	Kind store.RecordKind
	// Local are the instance's breaches holding it.
	Local []store.Breach
	// LocalBreaches is how many breaches the instance has.
	LocalBreaches int
	// Remote are HIBP's breaches holding it, when HIBP was asked.
	Remote []hibp.Breach
	HIBP   HIBP
}

// Found says whether any breach holds the account.
func (a Account) Found() bool { return len(a.Local)+len(a.Remote) > 0 }

// Account looks an e-mail address or username up in the local breaches
// and, with an API key, in Have I Been Pwned. HIBP failing costs its
// results, not the search. HIBP's answer is cached for userID alone (see
// package hibp): no other user learns from it what this one searched.
func (s *Searcher) Account(ctx context.Context, userID int64, account string) (Account, error) {
	var r Account
	var err error
	if r.Kind, r.Local, err = s.Local(ctx, account); err != nil {
		return r, err
	}
	if r.LocalBreaches, err = s.store.BreachCount(ctx); err != nil {
		return r, err
	}
	if s.hibp == nil || !s.hibp.HasKey() {
		return r, nil
	}
	hctx, cancel := context.WithTimeout(ctx, hibpTimeout)
	defer cancel()
	if r.Remote, err = s.hibp.BreachedAccount(hctx, userID, account); err != nil {
		r.Remote, r.HIBP = nil, s.failure(err)
		return r, nil
	}
	r.HIBP = HIBPAsked
	return r, nil
}

// Local is the instance's breaches holding account, and what the account
// was taken for; HIBP is not asked.
func (s *Searcher) Local(ctx context.Context, account string) (store.RecordKind, []store.Breach, error) {
	kind, digest := breach.AccountDigest(account)
	found, err := s.store.BreachesHolding(ctx, kind, digest)
	return kind, found, err
}

// Password is what a password check found.
type Password struct {
	// Seen is how often the Pwned Passwords data has seen it: the larger
	// of the local corpus's count and HIBP's.
	Seen uint64
	// Local are the instance's breaches holding one of its hashes.
	Local []store.Breach
	HIBP  HIBP
}

// Password checks a password: it is hashed at once into every form the
// instance can match (SHA-1 and NTLM for the corpora; SHA-1, MD5, SHA-256,
// SHA-512 and NTLM for breach records), looked up, and, when configured,
// checked with HIBP's range API (which sees only a 5-hex prefix). Nothing
// is kept.
func (s *Searcher) Password(ctx context.Context, password string) (Password, error) {
	var r Password
	hashes := breach.PasswordHashes([]byte(password))
	m, err := s.store.PasswordMatches(ctx, hashes)
	if err != nil {
		return r, err
	}
	r.Seen, r.Local = m.Seen, m.Breaches
	if s.hibp == nil {
		return r, nil
	}
	hctx, cancel := context.WithTimeout(ctx, hibpTimeout)
	defer cancel()
	remote, err := s.hibp.PasswordCount(hctx, [20]byte(hashes[0].Sum))
	if err != nil {
		r.HIBP = s.failure(err)
		return r, nil
	}
	r.HIBP = HIBPAsked
	// The local corpus is most often a copy of HIBP's: the larger count
	// is the better guess, where a sum would count most sightings twice.
	r.Seen = max(r.Seen, remote)
	return r, nil
}

// Range is HIBP's SHA-1 range of prefix, for the password-check script,
// which matches its password's hash in the browser: only the prefix
// leaves the machine. Without a client it is HIBPOff and no entries.
func (s *Searcher) Range(ctx context.Context, prefix string) ([]hibp.RangeEntry, HIBP) {
	if s.hibp == nil {
		return nil, HIBPOff
	}
	hctx, cancel := context.WithTimeout(ctx, hibpTimeout)
	defer cancel()
	remote, err := s.hibp.Range(hctx, prefix, hibp.ModeSHA1)
	if err != nil {
		return nil, s.failure(err)
	}
	return remote, HIBPAsked
}

// failure logs why HIBP failed (its errors name the endpoint, never the
// account) and says which failure it was.
func (s *Searcher) failure(err error) HIBP {
	s.log.Warn("hibp lookup failed", "err", err)
	if errors.Is(err, hibp.ErrRateLimited) {
		return HIBPBusy
	}
	return HIBPFailed
}
