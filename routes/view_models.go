package routes

import (
	"pcmt/search"
	"pcmt/store"
	"pcmt/views"
)

// How the store's rows and the searches' results become what the pages
// and the APIs show, for every resource that shows them.

// breachViews are the breaches as every page that lists them shows them.
func breachViews(list []store.Breach) []views.BreachView {
	out := make([]views.BreachView, len(list))
	for i := range list {
		out[i] = breachView(&list[i])
	}
	return out
}

// breachView is how the breach pages, the admin's breach pages and the
// search results show a breach: its facts and counts, never its records.
func breachView(b *store.Breach) views.BreachView {
	return views.BreachView{
		ID: b.ID, Name: b.Name, Title: b.Title, Domain: b.Domain,
		Date: b.Date, AddedAt: b.AddedAt, ModifiedAt: b.ModifiedAt,
		Verified: b.IsVerified, Description: b.Description, DataClasses: b.DataClasses,
		HashType: b.HashType, Unsearchable: !b.Searchable() && (b.Hashes > 0 || b.ContainsHashes),
		Emails: b.Emails, Usernames: b.Usernames, Passwords: b.Passwords, Hashes: b.Hashes,
		Skipped: b.Skipped, Invalid: b.Invalid, Records: b.Records,
	}
}

func userRow(u *store.User) views.AdminUserRow {
	return views.AdminUserRow{
		ID: u.ID, Username: u.Username, Email: u.Email, Admin: u.IsAdmin(), Disabled: u.Disabled,
		MustChange: u.MustChangePassword, CreatedAt: u.CreatedAt, LastSignIn: u.LastSignInAt,
	}
}

// What a search result says when Have I Been Pwned was to be asked and its
// answer is missing: the search page, the password check and /api/v1 say
// the same.
const (
	noticeHIBPBusy   = "Have I Been Pwned is busy: these are local results only. Please try again in a moment."
	noticeHIBPFailed = "Have I Been Pwned could not be asked: these are local results only."
)

// hibpNotice is the line a result shows when HIBP was to be asked and
// could not be; "" otherwise.
func hibpNotice(s search.HIBP) string {
	switch s {
	case search.HIBPBusy:
		return noticeHIBPBusy
	case search.HIBPFailed:
		return noticeHIBPFailed
	}
	return ""
}
