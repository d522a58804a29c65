package routes

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/breach"
	"pcmt/store"
	"pcmt/views"
)

var errNoSync = apperr.New(apperr.NotFound, "Syncing is not enabled on this server: use pcmt corpus sync.")

// startSync starts a sync of the Pwned Passwords corpus from the range API
// in the background and sends the admin to its page, which follows it. A
// sync already running, from this page or a `pcmt corpus sync`, is named
// beside the button instead.
func (h *Handler) startSync(c *fiber.Ctx) error {
	if h.syncs == nil {
		return errNoSync
	}
	f := views.SyncForm{Mode: c.FormValue("mode")}
	mode, err := breach.ParseSyncMode(f.Mode)
	if err != nil {
		f.Errors = views.FieldErrors{"mode": "Choose SHA-1 or NTLM."}
		return h.renderAdminBreaches(c, fiber.StatusUnprocessableEntity, f)
	}
	job, err := h.breaches.StartSync(c.UserContext(), h.actor(c), mode)
	var running *store.SyncRunningError
	switch {
	case errors.As(err, &running):
		f.Message = "A sync is running already (" + running.Job.FileName + ", job " + strconv.FormatInt(running.Job.ID, 10) +
			", started from " + origin(running.Job.Origin) + "): one sync at a time. Wait for it to finish."
		return h.renderAdminBreaches(c, fiber.StatusConflict, f)
	case err != nil:
		return err
	}
	h.log.Info("corpus sync started", "job", job.ID, "mode", mode, "admin", currentUser(c).Username, "request_id", requestIDOf(c))
	return redirect(c, string(views.ImportJobView{ID: job.ID}.Href()))
}

func origin(o string) string {
	if o == "web" {
		return "these pages"
	}
	return "the command line"
}
