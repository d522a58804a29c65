package routes

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// dashboardAlerts is how many alerts the dashboard reads: enough for every
// breach of a 50-item watchlist in all but extreme cases.
const dashboardAlerts = 1000

// dashboardLatest is how many alerts the "latest" list shows.
const dashboardLatest = 10

// showDashboard renders a user's start page: what they watch, where it
// leaked, and what is new since they last looked. It changes nothing: the
// page marks what it showed as seen by posting to /dashboard/seen once a
// browser displays it (see markAlertsSeen), so a prefetch, a link preview
// or a crawler following a link never uses up the "new" marks.
//
// It does start the user's queued HIBP recheck (watch.StartRecheck), which
// needs their session's key: a background refresh of their own results
// that runs once per queued recheck, whenever it is triggered, and asks
// nothing of the user.
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
	if err := h.watchlist.StartRecheck(ctx, user.ID, currentSession(c).IDHash); err != nil {
		h.log.Error("hibp recheck", "err", err, "request_id", requestIDOf(c))
	}
	return nil
}

// markAlertsSeen marks the alerts a dashboard showed as seen, up to the
// newest it showed: alerts raised since stay new. The dashboard posts it
// through htmx as soon as it is displayed, and without JavaScript its
// button does; an htmx request gets an empty answer that removes the form.
func (h *Handler) markAlertsSeen(c *fiber.Ctx) error {
	through, err := strconv.ParseInt(c.FormValue("through"), 10, 64)
	if err != nil || through <= 0 {
		return apperr.New(apperr.Invalid, "The form named no alerts.")
	}
	if err := h.watchlist.MarkSeen(c.UserContext(), currentUser(c).ID, through); err != nil {
		return err
	}
	if isHTMX(c) {
		c.Type("html")
		return c.SendString("")
	}
	return redirect(c, "/dashboard")
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
			d.SeenThrough = max(d.SeenThrough, a.ID)
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
