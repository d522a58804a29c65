package routes

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/hibp"
	"pcmt/store"
	"pcmt/views"
)

// hibpKeySetting is where the admin's HIBP API key is kept, sealed with a
// key from the secrets file (config.Keys.Seal).
const hibpKeySetting = "hibp.api_key"

// storedHIBPKey is the key an admin set, or "" when none is stored.
func (h *Handler) storedHIBPKey(ctx context.Context) (string, error) {
	sealed, err := h.store.Setting(ctx, hibpKeySetting)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	key, err := h.keys.Open(hibpKeySetting, sealed)
	return string(key), err
}

// hibpKeyInUse is the admin's key, else the configuration's.
func (h *Handler) hibpKeyInUse(ctx context.Context) (key string, fromConfig bool, err error) {
	key, err = h.storedHIBPKey(ctx)
	if err != nil || key != "" {
		return key, false, err
	}
	return h.cfg.HIBP.APIKey, h.cfg.HIBP.APIKey != "", nil
}

// showAdminSettings shows the instance settings.
func (h *Handler) showAdminSettings(c *fiber.Ctx) error {
	return h.renderAdminSettings(c, fiber.StatusOK, nil)
}

func (h *Handler) renderAdminSettings(c *fiber.Ctx, status int, errs views.FieldErrors) error {
	key, fromConfig, err := h.hibpKeyInUse(c.UserContext())
	if err != nil {
		return err
	}
	v := views.AdminSettingsView{HIBPEnabled: h.hibp != nil, KeyFromConfig: fromConfig, Errors: errs}
	if len(key) >= 4 {
		v.KeyHint = key[len(key)-4:]
	}
	return render(c, status, views.AdminSettings(h.page(c, "Settings"), v))
}

// validHIBPKey: HIBP's keys are 32 hexadecimal characters.
func validHIBPKey(k string) bool {
	if len(k) != 32 {
		return false
	}
	return strings.Trim(k, "0123456789abcdefABCDEF") == ""
}

// saveHIBPKey stores a new key, sealed, and puts it to use at once.
func (h *Handler) saveHIBPKey(c *fiber.Ctx) error {
	// Cloned: the key outlives the request, whose buffer fasthttp reuses.
	key := strings.Clone(strings.TrimSpace(c.FormValue("api_key")))
	if !validHIBPKey(key) {
		return h.renderAdminSettings(c, fiber.StatusUnprocessableEntity, views.FieldErrors{
			"api_key": "An HIBP API key is 32 hexadecimal characters."})
	}
	sealed, err := h.keys.Seal(hibpKeySetting, []byte(key))
	if err != nil {
		return err
	}
	if err := h.store.PutSetting(c.UserContext(), hibpKeySetting, sealed); err != nil {
		return err
	}
	if h.hibp != nil {
		h.hibp.SetAPIKey(key)
	}
	h.record(c, 0, currentUser(c).ID, store.EventHIBPKeyChanged, "set, ending in "+key[len(key)-4:])
	h.flash(c, views.FlashSuccess, "The Have I Been Pwned API key is saved.")
	return redirect(c, "/admin/settings")
}

// deleteHIBPKey removes the admin's key; the configuration's, if any, is
// used again.
func (h *Handler) deleteHIBPKey(c *fiber.Ctx) error {
	if err := h.store.DeleteSetting(c.UserContext(), hibpKeySetting); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if h.hibp != nil {
		h.hibp.SetAPIKey(h.cfg.HIBP.APIKey)
	}
	h.record(c, 0, currentUser(c).ID, store.EventHIBPKeyChanged, "removed")
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

// loadHIBPKey puts the admin's stored key to use at start.
func (h *Handler) loadHIBPKey() error {
	if h.hibp == nil {
		return nil
	}
	key, err := h.storedHIBPKey(context.Background())
	if err != nil {
		return err
	}
	if key != "" {
		h.hibp.SetAPIKey(key)
	}
	return nil
}
