// Package views holds the templ components. A file named after a resource
// renders the pages of routes/ files of the same name: views/admin_user.templ
// is what routes/admin_user.go and routes/admin_user_*.go show. The other
// files are parts several resources share, and none of them holds a page:
// layout.templ (the frame of every page), page.go (what every page needs),
// forms.templ (fields, buttons, messages), admin.templ (the admin pages'
// tabs, sections and badges), facts.templ (description lists' terms, a
// breach's badges and data classes), charts.templ and helpers.go (formatting).
package views

// Page is what every full page needs besides its own content.
type Page struct {
	// Title names the page in the tab; " · pcmt" is appended.
	Title string
	// Path is the request path, for marking the current navigation link.
	Path string
	// CSRF is the token forms carry in their csrf field and htmx sends as
	// X-CSRF-Token.
	CSRF string
	// Asset turns a file name under static/ into its cache-busting URL.
	Asset func(name string) string
	// Flashes are one-time messages from the previous request.
	Flashes []Flash
	// User is the signed-in user, nil for visitors.
	User *Viewer
}

// Viewer is who is looking at the page.
type Viewer struct {
	Username string
	Admin    bool
	// Pending is set while the user must change their password before
	// anything else.
	Pending bool
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    FlashKind
	Message string
}

// FlashKind picks a flash message's colour and icon.
type FlashKind string

// The kinds of flash message.
const (
	FlashInfo    FlashKind = "info"
	FlashSuccess FlashKind = "success"
	FlashError   FlashKind = "error"
)

// FieldErrors maps form field names to the message shown beside the field.
type FieldErrors map[string]string
