package routes

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/views"
	"pcmt/watch"
)

// The watchlist page: the rules (what a value may be, its encryption to
// the user's own key, its digest, where it was found) are package watch's,
// which /api/v1 follows too. Only this user's unlocked session ever reads
// the values back; admins never reach these routes.

// watchForm is what the add form posts.
type watchForm struct {
	Value string
}

func parseWatch(c *fiber.Ctx) watchForm {
	// Cloned: the value outlives the handler's request buffer.
	return watchForm{Value: strings.Clone(watch.Clean(c.FormValue("value")))}
}

// showWatchlist lists the user's watched values, decrypted with the key
// of this session, and where each was found.
func (h *Handler) showWatchlist(c *fiber.Ctx) error {
	return h.renderWatchlist(c, fiber.StatusOK, views.WatchForm{})
}

func (h *Handler) renderWatchlist(c *fiber.Ctx, status int, form views.WatchForm) error {
	p := h.page(c, "Watchlist")
	if status != fiber.StatusOK && isHTMX(c) {
		return render(c, status, views.WatchPanel(p, form))
	}
	ctx := c.UserContext()
	user, sess := currentUser(c), currentSession(c)
	items, err := h.watchlist.Read(ctx, user.ID, sess.IDHash)
	if err != nil {
		return err
	}
	rows := make([]views.WatchRow, 0, len(items))
	for _, it := range items {
		var found []views.BreachLink
		for _, b := range it.Found {
			found = append(found, views.BreachLink{ID: b.ID, Title: b.Title})
		}
		rows = append(rows, views.WatchRow{ID: it.ID, Kind: kindLabel(it.Kind), Added: it.Added, Breaches: found,
			Value: it.Value, Unreadable: it.Unreadable})
	}
	on, err := h.watchlist.EmailAlerts(ctx, user.ID)
	if err != nil {
		return err
	}
	return render(c, status, views.Watchlist(p, views.WatchlistData{
		Rows: rows, Max: store.MaxWatchItems, EmailAlerts: on, Form: form}))
}

// saveWatchItem adds a value to the user's watchlist; the flash says
// whether the breaches already here hold it.
func (h *Handler) saveWatchItem(c *fiber.Ctx) error {
	f := parseWatch(c)
	added, err := h.watchlist.Add(c.UserContext(), currentUser(c), f.Value)
	if refused := (*watch.Refused)(nil); errors.As(err, &refused) {
		form := views.WatchForm{Value: f.Value, Errors: views.FieldErrors{"value": refused.Message}}
		return h.renderWatchlist(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	msg := "Now watching it. It is in no breach here so far; you will hear when it turns up."
	if n := len(added.Found); n > 0 {
		msg = "Now watching it. It is already in " + plural(n, "breach", "breaches") + ": see below."
	}
	h.flash(c, views.FlashSuccess, msg)
	return redirect(c, "/watchlist")
}

// deleteWatchItem removes one of the user's values and its alerts.
// Another user's item does not exist for this one: 404.
func (h *Handler) deleteWatchItem(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.watchlist.Remove(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "No longer watched.")
	return redirect(c, "/watchlist")
}

// saveEmailAlerts turns the user's alert e-mails on or off.
func (h *Handler) saveEmailAlerts(c *fiber.Ctx) error {
	on := c.FormValue("email_alerts") == "on"
	if err := h.watchlist.SetEmailAlerts(c.UserContext(), currentUser(c).ID, on); err != nil {
		return err
	}
	msg := "E-mail alerts are off: alerts show here only."
	if on {
		msg = "E-mail alerts are on."
	}
	h.flash(c, views.FlashSuccess, msg)
	return redirect(c, "/watchlist")
}
