package routes

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/store"
	"pcmt/views"
)

// Search terms are secrets of the user who types them: they are never
// logged (the access log writes the path without the query, and no form
// body), never stored, and a password is hashed as soon as it is read. With
// JavaScript, static/src/pwcheck.js checks passwords in the browser against
// /range and this handler never sees them.

// hibpTimeout bounds how long a search waits for Have I Been Pwned (its
// client may wait for its turn under the key's rate limit).
const hibpTimeout = 15 * time.Second

const (
	errSearchEmpty       = "Please enter an e-mail address, a username or a password."
	errSearchType        = "Please choose what to search for: an account or a password."
	errSearchPasswordURL = "Passwords are never searched through a link: type it into the form instead."
	noticeHIBPBusy       = "Have I Been Pwned is busy: these are local results only. Please try again in a moment."
	noticeHIBPFailed     = "Have I Been Pwned could not be asked: these are local results only."
)

// searchForm is what the search form sends.
type searchForm struct {
	Q    string
	Type string
}

// showSearch is the search page; with a q in the query (an account search
// by link or from a browser without JavaScript) it shows the results too.
// Passwords are refused here: a URL ends up in histories and proxy logs.
func (h *Handler) showSearch(c *fiber.Ctx) error {
	f := searchForm{Q: strings.Clone(c.Query("q")), Type: strings.Clone(c.Query("type"))}
	if f.Q == "" && f.Type == "" {
		return h.renderSearch(c, fiber.StatusOK, views.SearchForm{Type: views.SearchAccount}, views.SearchResult{})
	}
	if f.Type == views.SearchPassword {
		return h.renderSearch(c, fiber.StatusUnprocessableEntity, views.SearchForm{Type: views.SearchPassword},
			views.SearchResult{Error: errSearchPasswordURL})
	}
	return h.runSearch(c, f)
}

// search answers the search form: the result panel under htmx, the whole
// page without it.
func (h *Handler) search(c *fiber.Ctx) error {
	return h.runSearch(c, searchForm{Q: strings.Clone(c.FormValue("q")), Type: strings.Clone(c.FormValue("type"))})
}

func (h *Handler) runSearch(c *fiber.Ctx, f searchForm) error {
	if f.Type == "" {
		f.Type = views.SearchAccount
	}
	shown := views.SearchForm{Q: f.Q, Type: f.Type}
	if f.Type == views.SearchPassword {
		shown.Q = "" // a password is never sent back
	}
	var msg string
	switch {
	case f.Type != views.SearchAccount && f.Type != views.SearchPassword:
		shown.Type, msg = views.SearchAccount, errSearchType
	case strings.TrimSpace(f.Q) == "":
		msg = errSearchEmpty
	}
	if msg != "" {
		return h.renderSearch(c, fiber.StatusUnprocessableEntity, shown, views.SearchResult{Error: msg})
	}

	var r views.SearchResult
	var err error
	if f.Type == views.SearchPassword {
		r, err = h.searchPassword(c.UserContext(), f.Q)
	} else {
		r, _, err = h.searchAccount(c.UserContext(), currentUser(c).ID, strings.TrimSpace(f.Q))
	}
	if err != nil {
		return err
	}
	return h.renderSearch(c, fiber.StatusOK, shown, r)
}

func (h *Handler) renderSearch(c *fiber.Ctx, status int, f views.SearchForm, r views.SearchResult) error {
	if isHTMX(c) {
		return render(c, status, views.SearchPanel(r))
	}
	plan, err := h.passwordPlan(c.UserContext())
	if err != nil {
		return err
	}
	f.Check = plan
	return render(c, status, views.Search(h.page(c, "Search"), f, r))
}

// searchAccount looks an e-mail address or username up in the local
// breaches and, with an API key, in Have I Been Pwned, and says which of
// the two it took q for. HIBP failing costs its results, not the search.
// HIBP's answer is cached for userID alone (see package hibp): no other
// user learns from it what this one searched.
func (h *Handler) searchAccount(ctx context.Context, userID int64, q string) (views.SearchResult, store.RecordKind, error) {
	r := views.SearchResult{Done: true, Type: views.SearchAccount, What: "username"}
	kind, digest := breach.AccountDigest(q)
	if kind == store.RecordEmail {
		r.What = "e-mail address"
	}
	local, err := h.store.BreachesHolding(ctx, kind, digest)
	if err != nil {
		return r, kind, err
	}
	if r.LocalBreaches, err = h.store.BreachCount(ctx); err != nil {
		return r, kind, err
	}
	for i := range local {
		r.Hits = append(r.Hits, localHit(&local[i]))
	}
	if h.hibp == nil || !h.hibp.HasKey() {
		r.HIBPOff = true
		return r, kind, nil
	}
	hctx, cancel := context.WithTimeout(ctx, hibpTimeout)
	defer cancel()
	remote, err := h.hibp.BreachedAccount(hctx, userID, q)
	if err != nil {
		r.Notice = h.hibpNotice(err)
		return r, kind, nil
	}
	r.AskedHIBP = true
	for _, b := range remote {
		r.Hits = append(r.Hits, views.SearchHit{Title: cmp.Or(b.Title, b.Name), Date: b.BreachDate,
			DataClasses: b.DataClasses, Verified: b.IsVerified, Source: "Have I Been Pwned"})
	}
	return r, kind, nil
}

// searchPassword is the check for browsers without JavaScript: the password
// is hashed at once into every form the instance can match (SHA-1 and NTLM
// for the corpora; SHA-1, MD5, SHA-256, SHA-512 and NTLM for breach
// records), looked up, and, when configured, checked with HIBP's range API
// (which sees only a 5-hex prefix). Nothing is kept. The password-check
// script reaches the same answer through showPasswordRange.
func (h *Handler) searchPassword(ctx context.Context, password string) (views.SearchResult, error) {
	hashes := breach.PasswordHashes([]byte(password))
	r := views.SearchResult{Done: true, Type: views.SearchPassword}
	m, err := h.store.PasswordMatches(ctx, hashes)
	if err != nil {
		return r, err
	}
	r.Seen = m.Seen
	for i := range m.Breaches {
		r.Hits = append(r.Hits, localHit(&m.Breaches[i]))
	}
	if h.hibp == nil {
		r.HIBPOff = true
		return r, nil
	}
	hctx, cancel := context.WithTimeout(ctx, hibpTimeout)
	defer cancel()
	remote, err := h.hibp.PasswordCount(hctx, [20]byte(hashes[0].Sum))
	if err != nil {
		r.Notice = h.hibpNotice(err)
		return r, nil
	}
	// The local corpus is most often a copy of HIBP's: the larger count
	// is the better guess, where a sum would count most sightings twice.
	r.Seen = max(r.Seen, remote)
	return r, nil
}

// localHit is how a search lists a local breach.
func localHit(b *store.Breach) views.SearchHit {
	v := breachView(b)
	return views.SearchHit{Title: v.Heading(), Date: v.Date, DataClasses: v.DataClasses,
		Verified: v.Verified, Source: "local", Href: v.Href()}
}

// hibpNotice logs why HIBP failed (its errors name the endpoint, never the
// account) and returns the line the panel shows.
func (h *Handler) hibpNotice(err error) string {
	h.log.Warn("hibp lookup failed", "err", err)
	if errors.Is(err, hibp.ErrRateLimited) {
		return noticeHIBPBusy
	}
	return noticeHIBPFailed
}
