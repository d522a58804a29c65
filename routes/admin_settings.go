package routes

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/hibp"
	"pcmt/views"
)

// showAdminSettings shows the instance settings.
func (h *Handler) showAdminSettings(c *fiber.Ctx) error {
	return h.renderAdminSettings(c, fiber.StatusOK, nil)
}

func (h *Handler) renderAdminSettings(c *fiber.Ctx, status int, errs views.FieldErrors) error {
	key, fromConfig, err := h.breaches.HIBPKeyInUse(c.UserContext())
	if err != nil {
		return err
	}
	v := views.AdminSettingsView{HIBPEnabled: h.hibp != nil, KeyFromConfig: fromConfig, Errors: errs}
	if len(key) >= 4 {
		v.KeyHint = key[len(key)-4:]
	}
	return render(c, status, views.AdminSettings(h.page(c, "Settings"), v))
}

// saveHIBPKey stores a new key, sealed, and puts it to use at once, by the
// breaches rules.
func (h *Handler) saveHIBPKey(c *fiber.Ctx) error {
	// Cloned: the key outlives the request, whose buffer fasthttp reuses.
	key := strings.Clone(strings.TrimSpace(c.FormValue("api_key")))
	err := h.breaches.SetHIBPKey(c.UserContext(), h.actor(c), key)
	if errs := fieldErrors(err, nil); errs != nil {
		return h.renderAdminSettings(c, fiber.StatusUnprocessableEntity, errs)
	} else if err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "The Have I Been Pwned API key is saved.")
	return redirect(c, "/admin/settings")
}

// deleteHIBPKey removes the admin's key; the configuration's, if any, is
// used again.
func (h *Handler) deleteHIBPKey(c *fiber.Ctx) error {
	if err := h.breaches.RemoveHIBPKey(c.UserContext(), h.actor(c)); err != nil {
		return err
	}
	h.flash(c, views.FlashSuccess, "The Have I Been Pwned API key is removed.")
	return redirect(c, "/admin/settings")
}

// testHIBPKey asks HIBP whether it takes the key in use.
func (h *Handler) testHIBPKey(c *fiber.Ctx) error {
	if h.hibp == nil {
		h.flash(c, views.FlashError, "Have I Been Pwned is off ([HIBP] Enabled = false): nothing was sent.")
		return redirect(c, "/admin/settings")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 15*time.Second)
	defer cancel()
	switch err := h.hibp.TestKey(ctx); {
	case err == nil:
		h.flash(c, views.FlashSuccess, "Have I Been Pwned accepts the key.")
	case errors.Is(err, hibp.ErrBadKey):
		h.flash(c, views.FlashError, "Have I Been Pwned refused the key: check it, or whether its subscription is active.")
	case errors.Is(err, hibp.ErrNoKey):
		h.flash(c, views.FlashError, "No API key is set.")
	default:
		h.log.Warn("testing the hibp key", "err", err)
		h.flash(c, views.FlashError, "Have I Been Pwned could not be reached; try again later.")
	}
	return redirect(c, "/admin/settings")
}
