package routes

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/breaches"
	"pcmt/store"
	"pcmt/views"
)

// recentJobs is how many imports the breach overview lists.
const recentJobs = 20

// showAdminBreaches lists the breaches, the Pwned Passwords corpora, the
// sync of a corpus and the recent imports.
func (h *Handler) showAdminBreaches(c *fiber.Ctx) error {
	return h.renderAdminBreaches(c, fiber.StatusOK, views.SyncForm{Mode: string(store.PwnedSHA1)})
}

// renderAdminBreaches renders the overview with the sync form as given.
func (h *Handler) renderAdminBreaches(c *fiber.Ctx, status int, sync views.SyncForm) error {
	ctx := c.UserContext()
	list, err := h.store.Breaches(ctx)
	if err != nil {
		return err
	}
	sha1, err := h.store.PwnedStats(ctx, store.PwnedSHA1)
	if err != nil {
		return err
	}
	ntlm, err := h.store.PwnedStats(ctx, store.PwnedNTLM)
	if err != nil {
		return err
	}
	jobs, err := h.store.ImportJobs(ctx, recentJobs)
	if err != nil {
		return err
	}
	l := views.AdminBreachList{
		Breaches: breachViews(list),
		SHA1:     views.CorpusStats{Ranges: sha1.Ranges, Hashes: sha1.Hashes},
		NTLM:     views.CorpusStats{Ranges: ntlm.Ranges, Hashes: ntlm.Hashes},
		Sync:     sync,
	}
	now := h.now()
	for i := range jobs {
		v := jobView(&jobs[i], now)
		l.Jobs = append(l.Jobs, v)
		if v.Sync && !v.Finished() && l.Sync.Running == nil {
			l.Sync.Running = &v
		}
	}
	if h.syncs != nil {
		l.Sync.Enabled, l.Sync.URL = true, h.syncs.URL()
	}
	return render(c, status, views.AdminBreaches(h.page(c, "Breaches"), l))
}

// showAdminBreach renders a breach's edit form.
func (h *Handler) showAdminBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	return h.renderAdminBreach(c, fiber.StatusOK, &b, breachForm(&b))
}

func (h *Handler) renderAdminBreach(c *fiber.Ctx, status int, b *store.Breach, f views.AdminBreachForm) error {
	v := breachView(b)
	return render(c, status, views.AdminBreach(h.page(c, v.Heading()), v, f))
}

// breachForm is the edit form filled with the breach's values.
func breachForm(b *store.Breach) views.AdminBreachForm {
	f := views.AdminBreachForm{Title: b.Title, Domain: b.Domain, Verified: b.IsVerified,
		Description: b.Description, DataClasses: strings.Join(b.DataClasses, ", ")}
	if !b.Date.IsZero() {
		f.Date = b.Date.UTC().Format(time.DateOnly)
	}
	return f
}

// saveBreach changes a breach's metadata by the breaches rules; its
// records stay as they are.
func (h *Handler) saveBreach(c *fiber.Ctx) error {
	b, err := h.targetBreach(c)
	if err != nil {
		return err
	}
	f := views.AdminBreachForm{
		Title: strings.TrimSpace(c.FormValue("title")), Domain: strings.TrimSpace(c.FormValue("domain")),
		Date: strings.TrimSpace(c.FormValue("date")), Verified: c.FormValue("verified") == "yes",
		Description: strings.TrimSpace(c.FormValue("description")), DataClasses: c.FormValue("data_classes"),
	}
	err = h.breaches.EditBreach(c.UserContext(), h.actor(c), &b, breachEdit(f))
	if errs := fieldErrors(err, nil); errs != nil {
		f.Errors = errs
		return h.renderAdminBreach(c, fiber.StatusUnprocessableEntity, &b, f)
	} else if err != nil {
		return err
	}
	h.log.Info("breach edited", "breach", b.Name, "admin", currentUser(c).Username, "request_id", requestIDOf(c))
	h.flash(c, views.FlashSuccess, "Breach "+b.Name+" is saved.")
	return redirect(c, string(breachView(&b).AdminHref()))
}

// breachEdit is the edit form as the breaches rules read it.
func breachEdit(f views.AdminBreachForm) breaches.Edit {
	return breaches.Edit{Title: f.Title, Domain: f.Domain, Date: f.Date, Verified: f.Verified,
		Description: f.Description, DataClasses: f.DataClasses}
}
