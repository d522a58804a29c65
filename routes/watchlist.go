package routes

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pcmt/account"
	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// The watchlist: values are encrypted to the user's own key before they
// reach the store, and digested with the instance's monitor key for the
// match that runs while the user is away (see package monitor). Only this
// user's unlocked session ever reads them back; admins never reach these
// routes.

// maxWatchedUsername bounds a watched username, in characters.
const maxWatchedUsername = 64

// watchForm is what the add form posts.
type watchForm struct {
	Value string
}

func parseWatch(c *fiber.Ctx) watchForm {
	// Cloned: the value outlives the handler's request buffer.
	return watchForm{Value: strings.Clone(strings.TrimSpace(c.FormValue("value")))}
}

// validate says what is wrong with the value, "" when nothing: an @ makes
// it an e-mail address, anything else a username.
func (f watchForm) validate() string {
	v := f.Value
	switch {
	case v == "":
		return "Enter an e-mail address or a username."
	case strings.Contains(v, "@"):
		if len(v) > 254 || !account.ValidEmail(v) {
			return "Enter an e-mail address like name@example.org (at most 254 characters)."
		}
	case !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxWatchedUsername:
		return "A username has 1 to 64 characters."
	default:
		for _, r := range v {
			if !unicode.IsPrint(r) {
				return "A username has only printable characters."
			}
		}
	}
	return ""
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
	items, err := h.store.WatchItems(ctx, user.ID)
	if err != nil {
		return err
	}
	alerts, err := h.store.AlertsFor(ctx, user.ID, store.MaxWatchItems*100)
	if err != nil {
		return err
	}
	found := map[int64][]views.BreachLink{}
	for _, a := range alerts {
		found[a.WatchItemID] = append(found[a.WatchItemID], views.BreachLink{ID: a.Breach.ID, Title: a.Breach.Title})
	}
	rows := make([]views.WatchRow, 0, len(items))
	for _, it := range items {
		row := views.WatchRow{ID: it.ID, Kind: kindLabel(it.Kind), Added: it.CreatedAt, Breaches: found[it.ID]}
		plain, err := h.vault.Decrypt(sess.IDHash, it.Ciphertext)
		switch {
		case errors.Is(err, account.ErrLocked):
			return apperr.New(apperr.Forbidden, "Your key is not unlocked in this session: sign out and in again to read your watchlist.")
		case err != nil:
			// Encrypted to a key that an admin reset discarded.
			row.Unreadable = true
		default:
			row.Value = string(plain)
		}
		rows = append(rows, row)
	}
	on, err := h.store.EmailAlerts(ctx, user.ID)
	if err != nil {
		return err
	}
	return render(c, status, views.Watchlist(p, views.WatchlistData{
		Rows: rows, Max: store.MaxWatchItems, EmailAlerts: on, Form: form}))
}

// saveWatchItem adds a value to the user's watchlist and looks it up in
// the breaches already here.
func (h *Handler) saveWatchItem(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	f := parseWatch(c)
	form := views.WatchForm{Value: f.Value, Errors: views.FieldErrors{}}
	refuse := func(msg string) error {
		form.Errors["value"] = msg
		return h.renderWatchlist(c, fiber.StatusUnprocessableEntity, form)
	}
	if msg := f.validate(); msg != "" {
		return refuse(msg)
	}
	added, refusal, err := h.addWatch(ctx, user, f.Value)
	if err != nil {
		return err
	}
	if refusal != nil {
		return refuse(refusal.Message)
	}
	msg := "Now watching it. It is in no breach here so far; you will hear when it turns up."
	if n := len(added.Found); n > 0 {
		msg = "Now watching it. It is already in " + plural(n, "breach", "breaches") + ": see below."
	}
	h.flash(c, views.FlashSuccess, msg)
	return redirect(c, "/watchlist")
}

// errNoWatchKey refuses a value before the user's first own password
// change, which makes the key the watchlist is encrypted to.
var errNoWatchKey = apperr.New(apperr.Unprocessable, "Change your password first: it makes the key your watchlist is encrypted to.")

// watchAdded is a value addWatch stored: its item, kind, when it was
// added, and the breaches already here that hold it.
type watchAdded struct {
	ID    int64
	Kind  store.RecordKind
	At    time.Time
	Found []store.Breach
}

// addWatch encrypts a valid value to the user's key, stores it with its
// keyed digest and finds it in the breaches already here. refusal says why
// the value was not added (errNoWatchKey, store.ErrWatchDuplicate or
// store.ErrWatchlistFull); nil when it was.
func (h *Handler) addWatch(ctx context.Context, user *store.User, value string) (added watchAdded, refusal *apperr.Error, err error) {
	if !user.HasVault() {
		return added, errNoWatchKey, nil
	}
	ciphertext, err := account.Encrypt(user.AgeRecipient, []byte(value))
	if err != nil {
		return added, nil, err
	}
	v := h.matcher.Watch(value)
	added.Kind, added.At = v.Kind, h.now()
	added.ID, err = h.store.AddWatchItem(ctx, store.WatchItem{UserID: user.ID, Kind: v.Kind, Ciphertext: ciphertext,
		Digest: v.Digest}, added.At)
	switch {
	case errors.Is(err, store.ErrWatchDuplicate):
		return added, store.ErrWatchDuplicate, nil
	case errors.Is(err, store.ErrWatchlistFull):
		return added, store.ErrWatchlistFull, nil
	case err != nil:
		return added, nil, err
	}
	added.Found, err = h.matcher.MatchItem(ctx, user.ID, added.ID, v.Record)
	return added, nil, err
}

// deleteWatchItem removes one of the user's values and its alerts.
// Another user's item does not exist for this one: 404.
func (h *Handler) deleteWatchItem(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.store.DeleteWatchItem(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "No longer watched.")
	return redirect(c, "/watchlist")
}

// saveEmailAlerts turns the user's alert e-mails on or off.
func (h *Handler) saveEmailAlerts(c *fiber.Ctx) error {
	on := c.FormValue("email_alerts") == "on"
	if err := h.store.SetEmailAlerts(c.UserContext(), currentUser(c).ID, on); err != nil {
		return err
	}
	msg := "E-mail alerts are off: alerts show here only."
	if on {
		msg = "E-mail alerts are on."
	}
	h.flash(c, views.FlashSuccess, msg)
	return redirect(c, "/watchlist")
}
