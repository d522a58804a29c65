package search

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"pcmt/apperr"
	"pcmt/hibp"
	"pcmt/store"
)

// The password-check script (static/src/pwcheck.js) searches a password
// without sending it: it hashes the password in the browser into each form
// the instance holds data of, sends only a short prefix of each hash to
// Prefix, and compares the rest itself. Its answer must be the one
// Password gives the same password without JavaScript.
//
// Each prefix tells the server a little about the password: 4 bits a hex
// digit. The plan keeps that small: SHA-1 is always asked with 5 digits (as
// the Pwned Passwords range API is); another kind is asked only when the
// instance holds records of it, with the fewest digits that keep an answer
// near PrefixBudget entries — none at all (the whole set) for a kind with
// few records — and NTLM with 5 when an NTLM corpus is stored.

// PrefixBudget is about how many entries an answer for a kind without a
// corpus holds at most.
const PrefixBudget = 1024

// KindPlan is how the script asks for one kind of digest: with Digits hex
// digits of it.
type KindPlan struct {
	Kind   store.RecordKind
	Digits int
}

// planCache keeps the per-kind record counts behind the plan until a
// breach is added or removed: counting reads every password record.
type planCache struct {
	mu      sync.Mutex
	version string
	counts  map[store.RecordKind]int64
}

// Plan is which kinds the script asks for and with how many hex digits,
// SHA-1 first.
func (s *Searcher) Plan(ctx context.Context) ([]KindPlan, error) {
	counts, err := s.kindCounts(ctx)
	if err != nil {
		return nil, err
	}
	ntlmCorpus, err := s.store.PwnedHasAny(ctx, store.PwnedNTLM)
	if err != nil {
		return nil, err
	}
	plan := []KindPlan{{Kind: store.RecordSHA1, Digits: 5}}
	for _, k := range store.PasswordKinds[1:] {
		switch {
		case k == store.RecordNTLM && ntlmCorpus:
			plan = append(plan, KindPlan{Kind: k, Digits: 5})
		case counts[k] > 0:
			plan = append(plan, KindPlan{Kind: k, Digits: digitsFor(counts[k])})
		}
	}
	return plan, nil
}

func (s *Searcher) kindCounts(ctx context.Context) (map[store.RecordKind]int64, error) {
	version, err := s.store.BreachesVersion(ctx)
	if err != nil {
		return nil, err
	}
	p := &s.plans
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts != nil && p.version == version {
		return p.counts, nil
	}
	counts, err := s.store.PasswordKindCounts(ctx)
	if err != nil {
		return nil, err
	}
	p.version, p.counts = version, counts
	return counts, nil
}

// digitsFor is the fewest hex digits (up to 5) that split n records into
// answers of about PrefixBudget entries.
func digitsFor(n int64) int {
	d := 0
	for d < 5 && n > PrefixBudget {
		n = (n + 15) / 16
		d++
	}
	return d
}

// PrefixEntry is one digest that starts with the prefix asked.
type PrefixEntry struct {
	// Suffix is the rest of the digest after the prefix, upper-case hex.
	Suffix string
	// Count is how often the corpora (and HIBP, for SHA-1) have seen it.
	Count uint64
	// Breaches are the ids of the local breaches holding it.
	Breaches []int64
}

// Prefixed is what Prefix found: the entries by suffix, the local
// breaches they name (each once, in the order first named) and what
// became of HIBP.
type Prefixed struct {
	Entries  []PrefixEntry
	Breaches []store.Breach
	HIBP     HIBP
}

// Refusals of a prefix search.
var (
	ErrPrefixKind  = apperr.New(apperr.Invalid, "kind must be one of sha1, md5, sha256, sha512, ntlm.")
	ErrPrefixShape = apperr.New(apperr.Invalid, "prefix must be 0 to 5 hex digits.")
)

// Prefix is every digest of kind starting with prefix (0 to 5 hex digits,
// either case) that the corpora, HIBP's range API (SHA-1) and the local
// breaches hold, with counts and breaches. A prefix shorter than the plan
// asks for kind is refused: answering it would hand out more than the
// plan's budget.
func (s *Searcher) Prefix(ctx context.Context, kind store.RecordKind, prefix string) (Prefixed, error) {
	prefix = strings.ToUpper(prefix)
	if len(prefix) > 5 || !hibp.IsHex(prefix) {
		return Prefixed{}, ErrPrefixShape
	}
	plan, err := s.Plan(ctx)
	if err != nil {
		return Prefixed{}, err
	}
	need := 0
	if i := slices.IndexFunc(plan, func(p KindPlan) bool { return p.Kind == kind }); i >= 0 {
		need = plan[i].Digits
	}
	if len(prefix) < need {
		return Prefixed{}, apperr.New(apperr.Invalid, fmt.Sprintf("%s prefixes have %d hex digits here: reload the page.", kind.Name(), need))
	}
	out := Prefixed{HIBP: HIBPOff}
	entries := map[string]*PrefixEntry{}
	entry := func(suffix string) *PrefixEntry {
		e := entries[suffix]
		if e == nil {
			e = &PrefixEntry{Suffix: suffix}
			entries[suffix] = e
		}
		return e
	}
	if err := s.corpusPrefix(ctx, kind, prefix, entry); err != nil {
		return Prefixed{}, err
	}
	if kind == store.RecordSHA1 {
		var remote []PrefixEntry
		remote, out.HIBP = s.hibpRange(ctx, prefix)
		// The larger of the two counts, as a password search takes.
		for _, r := range remote {
			e := entry(r.Suffix)
			e.Count = max(e.Count, r.Count)
		}
	}
	records, err := s.store.PasswordRecords(ctx, kind, prefix)
	if err != nil {
		return Prefixed{}, err
	}
	for _, r := range records {
		e := entry(strings.ToUpper(hex.EncodeToString(r.Digest))[len(prefix):])
		e.Breaches = append(e.Breaches, r.Breach)
		if !slices.ContainsFunc(out.Breaches, func(b store.Breach) bool { return b.ID == r.Breach }) {
			b, err := s.store.BreachByID(ctx, r.Breach)
			if err != nil {
				return Prefixed{}, err
			}
			out.Breaches = append(out.Breaches, b)
		}
	}
	out.Entries = make([]PrefixEntry, 0, len(entries))
	for _, e := range entries {
		out.Entries = append(out.Entries, *e)
	}
	slices.SortFunc(out.Entries, func(a, b PrefixEntry) int { return strings.Compare(a.Suffix, b.Suffix) })
	return out, nil
}

// corpusPrefix adds the corpus range of a 5-digit prefix: only SHA-1 and
// NTLM have corpora, and the plan asks them with 5 digits when they do.
func (s *Searcher) corpusPrefix(ctx context.Context, kind store.RecordKind, prefix string, entry func(string) *PrefixEntry) error {
	mode := kind.PwnedMode()
	if mode == "" || len(prefix) != 5 {
		return nil
	}
	p, _ := strconv.ParseUint(prefix, 16, 32)
	return s.store.WithPwnedRange(ctx, mode, uint32(p), func(r store.PwnedRange) error {
		for key, count := range r.Entries() {
			entry(strings.ToUpper(hex.EncodeToString(key))[1:]).Count = count
		}
		return nil
	})
}

// hibpRange is HIBP's SHA-1 range of prefix as entries: the plan asks
// SHA-1 with 5 digits, as the range API takes.
func (s *Searcher) hibpRange(ctx context.Context, prefix string) ([]PrefixEntry, HIBP) {
	remote, state := s.Range(ctx, prefix)
	out := make([]PrefixEntry, len(remote))
	for i, r := range remote {
		out[i] = PrefixEntry{Suffix: r.Suffix, Count: r.Count}
	}
	return out, state
}
