package routes

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pcmt/views"
)

// auditLength is how many admin actions the audit page lists.
const auditLength = 200

// showAudit lists the newest admin actions on accounts: which admin did
// what to whom.
func (h *Handler) showAudit(c *fiber.Ctx) error {
	actions, err := h.store.AdminActions(c.UserContext(), auditLength)
	if err != nil {
		return err
	}
	rows := make([]views.AdminAuditRow, 0, len(actions))
	for _, a := range actions {
		rows = append(rows, views.AdminAuditRow{
			At: a.At, What: describeEvent(a.Activity), IP: a.IP, Detail: a.Detail,
			Actor: auditName(a.ActorID, a.ActorName), ActorID: a.ActorID,
			Target: auditName(a.UserID, a.UserName), TargetID: a.UserID, TargetExists: a.UserName != "",
		})
	}
	return render(c, fiber.StatusOK, views.AdminAudit(h.page(c, "Audit log"), rows))
}

// auditName is an account's username, "#id" once it is deleted, and ""
// for no account (the command line).
func auditName(id int64, name string) string {
	switch {
	case id == 0:
		return ""
	case name == "":
		return "#" + strconv.FormatInt(id, 10)
	}
	return name
}
