package routes

import (
	"pcmt/store"
	"pcmt/views"
)

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
