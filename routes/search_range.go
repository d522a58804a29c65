package routes

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// The password-check script (static/src/pwcheck.js) searches a password
// without sending it: it hashes the password in the browser into each form
// the instance holds data of, sends only a short prefix of each hash to
// showPasswordRange, and compares the rest itself. Its answer must be the
// one search.Searcher.Password gives the same password without JavaScript.
//
// Each prefix tells the server a little about the password: 4 bits a hex
// digit. The plan keeps that small: SHA-1 is always asked with 5 digits (as
// the Pwned Passwords range API is); another kind is asked only when the
// instance holds records of it, with the fewest digits that keep an answer
// near passwordRangeBudget entries — none at all (the whole set) for a kind
// with few records — and NTLM with 5 when an NTLM corpus is stored.

// passwordRangeBudget is about how many entries an answer for a kind
// without a corpus holds at most.
const passwordRangeBudget = 1024

// passwordPlans keeps the per-kind record counts behind the plan until a
// breach is added or removed: counting reads every password record.
type passwordPlans struct {
	mu      sync.Mutex
	version string
	counts  map[store.RecordKind]int64
}

// passwordPlan is which kinds the script asks for and with how many hex
// digits, SHA-1 first.
func (h *Handler) passwordPlan(ctx context.Context) ([]views.PasswordKind, error) {
	counts, err := h.passwordKindCounts(ctx)
	if err != nil {
		return nil, err
	}
	ntlmCorpus, err := h.store.PwnedHasAny(ctx, store.PwnedNTLM)
	if err != nil {
		return nil, err
	}
	plan := []views.PasswordKind{{Name: store.RecordSHA1.Name(), Digits: 5}}
	for _, k := range store.PasswordKinds[1:] {
		switch {
		case k == store.RecordNTLM && ntlmCorpus:
			plan = append(plan, views.PasswordKind{Name: k.Name(), Digits: 5})
		case counts[k] > 0:
			plan = append(plan, views.PasswordKind{Name: k.Name(), Digits: digitsFor(counts[k])})
		}
	}
	return plan, nil
}

func (h *Handler) passwordKindCounts(ctx context.Context) (map[store.RecordKind]int64, error) {
	version, err := h.store.BreachesVersion(ctx)
	if err != nil {
		return nil, err
	}
	p := h.passwordPlans
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts != nil && p.version == version {
		return p.counts, nil
	}
	counts, err := h.store.PasswordKindCounts(ctx)
	if err != nil {
		return nil, err
	}
	p.version, p.counts = version, counts
	return counts, nil
}

// digitsFor is the fewest hex digits (up to 5) that split n records into
// answers of about passwordRangeBudget entries.
func digitsFor(n int64) int {
	d := 0
	for d < 5 && n > passwordRangeBudget {
		n = (n + 15) / 16
		d++
	}
	return d
}

// passwordRange is showPasswordRange's answer.
type passwordRange struct {
	Entries []passwordRangeEntry `json:"entries"`
	// Breaches are the local breaches the entries name.
	Breaches []rangeBreach `json:"breaches"`
	HIBPOff  bool          `json:"hibpOff"`
	Notice   string        `json:"notice,omitempty"`
}

// rangeBreach is a local breach as the search page lists it: the script
// orders hits as a password search does, by date (YYYY-MM-DD, "" when unknown)
// and then id, both descending.
type rangeBreach struct {
	ID   int64  `json:"id"`
	Date string `json:"date"`
	HTML string `json:"html"`
}

type passwordRangeEntry struct {
	// Suffix is the rest of the hash after the prefix, uppercase hex.
	Suffix string `json:"suffix"`
	// Count is how often the corpora have seen it.
	Count    uint64  `json:"count"`
	Breaches []int64 `json:"breaches,omitempty"`
}

const errPasswordRangeKind = "kind must be one of sha1, md5, sha256, sha512, ntlm."

// showPasswordRange answers the password-check script: every password
// digest of one kind starting with a prefix that the corpora, HIBP's range
// API (SHA-1) and the local breaches hold, with counts and breaches.
func (h *Handler) showPasswordRange(c *fiber.Ctx) error {
	ctx := c.UserContext()
	kind, ok := store.ParsePasswordKind(c.Query("kind"))
	if !ok {
		return apperr.New(apperr.Invalid, errPasswordRangeKind)
	}
	prefix := strings.ToUpper(c.Query("prefix"))
	if len(prefix) > 5 || !isHexString(prefix) {
		return apperr.New(apperr.Invalid, "prefix must be 0 to 5 hex digits.")
	}
	plan, err := h.passwordPlan(ctx)
	if err != nil {
		return err
	}
	need := 0
	if i := slices.IndexFunc(plan, func(p views.PasswordKind) bool { return p.Name == kind.Name() }); i >= 0 {
		need = plan[i].Digits
	}
	if len(prefix) < need {
		return apperr.New(apperr.Invalid, fmt.Sprintf("%s prefixes have %d hex digits here: reload the page.", kind.Name(), need))
	}

	out := passwordRange{Breaches: []rangeBreach{}, HIBPOff: h.hibp == nil}
	entries := map[string]*passwordRangeEntry{}
	entry := func(suffix string) *passwordRangeEntry {
		e := entries[suffix]
		if e == nil {
			e = &passwordRangeEntry{Suffix: suffix}
			entries[suffix] = e
		}
		return e
	}
	if err := h.corpusRange(ctx, kind, prefix, entry); err != nil {
		return err
	}
	if kind == store.RecordSHA1 && h.hibp != nil {
		out.Notice = h.hibpRange(ctx, prefix, entry)
	}
	records, err := h.store.PasswordRecords(ctx, kind, prefix)
	if err != nil {
		return err
	}
	for _, r := range records {
		e := entry(strings.ToUpper(hex.EncodeToString(r.Digest))[len(prefix):])
		e.Breaches = append(e.Breaches, r.Breach)
		if !slices.ContainsFunc(out.Breaches, func(b rangeBreach) bool { return b.ID == r.Breach }) {
			b, err := h.rangeBreach(ctx, r.Breach)
			if err != nil {
				return err
			}
			out.Breaches = append(out.Breaches, b)
		}
	}
	out.Entries = make([]passwordRangeEntry, 0, len(entries))
	for _, e := range entries {
		out.Entries = append(out.Entries, *e)
	}
	slices.SortFunc(out.Entries, func(a, b passwordRangeEntry) int { return strings.Compare(a.Suffix, b.Suffix) })
	return c.JSON(out)
}

// corpusRange adds the corpus range of a 5-digit prefix: only SHA-1 and
// NTLM have corpora, and the plan asks them with 5 digits when they do.
func (h *Handler) corpusRange(ctx context.Context, kind store.RecordKind, prefix string, entry func(string) *passwordRangeEntry) error {
	mode := kind.PwnedMode()
	if mode == "" || len(prefix) != 5 {
		return nil
	}
	p, _ := strconv.ParseUint(prefix, 16, 32)
	return h.store.WithPwnedRange(ctx, mode, uint32(p), func(r store.PwnedRange) error {
		for key, count := range r.Entries() {
			entry(strings.ToUpper(hex.EncodeToString(key))[1:]).Count = count
		}
		return nil
	})
}

// hibpRange merges HIBP's range answer as a password search does: the
// larger of the two counts. It returns the notice to show when HIBP failed.
func (h *Handler) hibpRange(ctx context.Context, prefix string, entry func(string) *passwordRangeEntry) string {
	remote, state := h.searcher.Range(ctx, prefix)
	for _, r := range remote {
		e := entry(r.Suffix)
		e.Count = max(e.Count, r.Count)
	}
	return hibpNotice(state)
}

// rangeBreach renders a local breach as a search hit.
func (h *Handler) rangeBreach(ctx context.Context, id int64) (rangeBreach, error) {
	b, err := h.store.BreachByID(ctx, id)
	if err != nil {
		return rangeBreach{}, err
	}
	hit := localHit(&b)
	var buf bytes.Buffer
	if err := views.SearchHitItem(hit).Render(ctx, &buf); err != nil {
		return rangeBreach{}, err
	}
	out := rangeBreach{ID: id, HTML: buf.String()}
	if !hit.Date.IsZero() {
		out.Date = hit.Date.Format("2006-01-02")
	}
	return out, nil
}

func isHexString(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}
