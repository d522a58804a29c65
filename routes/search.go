package routes

import (
	"cmp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/search"
	"pcmt/store"
	"pcmt/views"
)

// Search terms are secrets of the user who types them: they are never
// logged (the access log writes the route's template, never the path, the
// query or a form body), never stored, and a password is hashed as soon as it is read (see
// package search, which runs the searches). With JavaScript,
// static/src/pwcheck.js checks passwords in the browser against
// /search/range (search_range.go), sending only hash prefixes, and
// this handler never sees them.

const (
	errSearchEmpty       = "Please enter an e-mail address, a username or a password."
	errSearchType        = "Please choose what to search for: an account or a password."
	errSearchPasswordURL = "Passwords are never searched through a link: type it into the form instead."
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
	if f.Type == views.SearchPassword {
		p, err := h.searcher.Password(c.UserContext(), f.Q)
		if err != nil {
			return err
		}
		r = passwordResult(p)
	} else {
		a, err := h.searcher.Account(c.UserContext(), currentUser(c).ID, strings.TrimSpace(f.Q))
		if err != nil {
			return err
		}
		r = accountResult(a)
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

// accountResult is the result panel of an account search.
func accountResult(a search.Account) views.SearchResult {
	r := views.SearchResult{Done: true, Type: views.SearchAccount, What: "username", LocalBreaches: a.LocalBreaches,
		AskedHIBP: a.HIBP == search.HIBPAsked, HIBPOff: a.HIBP == search.HIBPOff, Notice: hibpNotice(a.HIBP)}
	if a.Kind == store.RecordEmail {
		r.What = "e-mail address"
	}
	for i := range a.Local {
		r.Hits = append(r.Hits, localHit(&a.Local[i]))
	}
	for _, b := range a.Remote {
		r.Hits = append(r.Hits, views.SearchHit{Title: cmp.Or(b.Title, b.Name), Date: b.BreachDate.Time,
			DataClasses: b.DataClasses, Verified: b.IsVerified, Source: "Have I Been Pwned"})
	}
	return r
}

// passwordResult is the result panel of a password check. Whether HIBP
// answered is not shown: its count is in Seen.
func passwordResult(p search.Password) views.SearchResult {
	r := views.SearchResult{Done: true, Type: views.SearchPassword, Seen: p.Seen,
		HIBPOff: p.HIBP == search.HIBPOff, Notice: hibpNotice(p.HIBP)}
	for i := range p.Local {
		r.Hits = append(r.Hits, localHit(&p.Local[i]))
	}
	return r
}

// localHit is how a search lists a local breach.
func localHit(b *store.Breach) views.SearchHit {
	v := breachView(b)
	return views.SearchHit{Title: v.Heading(), Date: v.Date, DataClasses: v.DataClasses,
		Verified: v.Verified, Source: "local", Href: v.Href()}
}
