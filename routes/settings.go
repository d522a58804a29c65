package routes

import (
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// showSettings lists the user's settings pages.
func (h *Handler) showSettings(c *fiber.Ctx) error {
	links := []views.SettingsLink{
		{Href: "/settings/password", Title: "Password", Text: "Change your password; it also locks your encrypted data."},
		{Href: "/settings/2fa", Title: "Two-factor sign-in", Text: "Ask for a code from your phone as well as your password."},
		{Href: "/settings/sessions", Title: "Sessions", Text: "See where you are signed in and sign out other browsers."},
		{Href: "/settings/activity", Title: "Activity", Text: "Sign-ins, changes and admin actions on your account."},
	}
	return render(c, fiber.StatusOK, views.Settings(h.page(c, "Settings"), links))
}

// showSessions lists the user's sessions.
func (h *Handler) showSessions(c *fiber.Ctx) error {
	list, err := h.store.Sessions(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	rows := make([]views.SessionRow, 0, len(list))
	for _, s := range list {
		rows = append(rows, views.SessionRow{
			ID: hex.EncodeToString(s.IDHash), Browser: describeBrowser(s.UserAgent), IP: s.IP,
			CreatedAt: s.CreatedAt, LastSeen: s.LastSeenAt, Current: isCurrent(c, s.IDHash),
		})
	}
	return render(c, fiber.StatusOK, views.Sessions(h.page(c, "Sessions"), rows))
}

// revokeSession signs one of the user's other sessions out.
func (h *Handler) revokeSession(c *fiber.Ctx) error {
	user := currentUser(c)
	hash, err := hex.DecodeString(c.FormValue("session"))
	if err != nil || len(hash) != 32 {
		return apperr.New(apperr.Invalid, "The form named no session.")
	}
	if isCurrent(c, hash) {
		return apperr.New(apperr.Invalid, "To end this session, sign out.")
	}
	if err := h.accounts.RevokeSession(c.UserContext(), h.self(c, user.ID), hash); err != nil {
		return err // ErrNotFound for someone else's session: it does not exist for this user
	}
	h.vault.Drop(hash)
	h.flash(c, views.FlashSuccess, "That session is signed out.")
	return redirect(c, "/settings/sessions")
}

// revokeOtherSessions signs out every session of the user but this one.
func (h *Handler) revokeOtherSessions(c *fiber.Ctx) error {
	user, sess := currentUser(c), currentSession(c)
	n, err := h.accounts.RevokeOtherSessions(c.UserContext(), h.self(c, user.ID), sess.IDHash)
	if err != nil {
		return err
	}
	h.forgetKeys(user.ID, sess.IDHash)
	h.flash(c, views.FlashSuccess, plural(n, "other session was", "other sessions were")+" signed out.")
	return redirect(c, "/settings/sessions")
}

// showActivity lists the events of the user's account.
func (h *Handler) showActivity(c *fiber.Ctx) error {
	events, err := h.store.UserActivity(c.UserContext(), currentUser(c).ID, 200)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.Activity(h.page(c, "Activity"), activityRows(events)))
}

func activityRows(events []store.Activity) []views.ActivityRow {
	rows := make([]views.ActivityRow, 0, len(events))
	for _, e := range events {
		rows = append(rows, views.ActivityRow{At: e.At, What: describeEvent(e), IP: e.IP, Detail: e.Detail})
	}
	return rows
}

// describeBrowser names the browser and system of a User-Agent header, well
// enough to recognise one's own devices.
func describeBrowser(ua string) string {
	browser := "Unknown browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			return browser + " on " + s.name
		}
	}
	return browser
}
