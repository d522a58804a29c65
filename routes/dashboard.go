package routes

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/views"
)

// dashboardAlerts is how many alerts the dashboard reads: enough for every
// breach of a 50-item watchlist in all but extreme cases.
const dashboardAlerts = 1000

// dashboardLatest is how many alerts the "latest" list shows.
const dashboardLatest = 10

// showDashboard renders a user's start page: what they watch, where it
// leaked, and what is new since they last looked. Looking is what marks the
// new alerts seen, so this GET writes: the page is rendered first, with
// the alerts still new, and they are marked seen after. A second GET (a
// reload, or a prefetch) shows them as seen; at worst a prefetched
// dashboard nobody looked at used up its "new" marks, which only ever
// hides the highlight, never an alert.
func (h *Handler) showDashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	watched, err := h.store.CountWatchItems(ctx, user.ID)
	if err != nil {
		return err
	}
	alerts, err := h.store.AlertsFor(ctx, user.ID, dashboardAlerts)
	if err != nil {
		return err
	}
	previous, err := h.store.PreviousSignIn(ctx, user.ID)
	if err != nil {
		return err
	}
	d := dashboardData(alerts)
	d.Username, d.LastSignIn, d.Watched = user.Username, previous, watched
	if err := render(c, fiber.StatusOK, views.Dashboard(h.page(c, "Dashboard"), d)); err != nil {
		return err
	}
	h.startHIBPRecheck(c)
	if d.Unseen > 0 {
		// The page is written: a failure here only leaves them new.
		if _, err := h.store.MarkAlertsSeen(ctx, user.ID, time.Now()); err != nil {
			h.log.Error("marking alerts seen", "err", err, "request_id", requestIDOf(c))
		}
	}
	return nil
}

// dashboardData sorts a user's alerts (newest first) into the dashboard's
// lists and pictures. A breach holding two watched values is one exposure.
func dashboardData(alerts []store.Alert) views.DashboardData {
	var d views.DashboardData
	seen := map[int64]bool{}
	var exposures []views.Exposure
	for _, a := range alerts {
		row := views.DashboardAlert{
			Breach:      views.BreachLink{ID: a.Breach.ID, Title: a.Breach.Title},
			Date:        a.Breach.Date,
			DataClasses: a.Breach.DataClasses,
			Found:       a.CreatedAt,
			Kind:        kindLabel(a.Kind),
			New:         a.SeenAt.IsZero() && !a.KnownAtAdd,
		}
		if a.SeenAt.IsZero() {
			d.Unseen++
		}
		if row.New {
			d.New = append(d.New, row)
		}
		if len(d.Latest) < dashboardLatest {
			d.Latest = append(d.Latest, row)
		}
		if !seen[a.Breach.ID] {
			seen[a.Breach.ID] = true
			exposures = append(exposures, views.Exposure{BreachID: a.Breach.ID, Title: a.Breach.Title,
				Date: a.Breach.Date, DataClasses: a.Breach.DataClasses})
		}
	}
	d.Breaches = len(exposures)
	d.Timeline = views.Timeline(exposures)
	d.Classes = views.DataClassBreakdown(exposures)
	return d
}

// kindLabel is how a watched item's kind reads on a page.
func kindLabel(k store.RecordKind) string {
	if k == store.RecordEmail {
		return "E-mail"
	}
	return "Username"
}
