package store

import (
	"context"
)

// AdminAction is one action on an account from the activity log, with the
// names the actor and the affected account have now ("" once deleted).
type AdminAction struct {
	Activity
	ActorName string
	UserName  string
}

// AdminActions returns the newest limit actions taken on accounts by admins
// or, with actor 0, by the command line. It keeps the actions of admins who
// were demoted or deleted since: an audit trail must
// not shrink when its actor loses the role. An e-mail change counts when
// someone changed another account's address, or when the actor is an admin.
func (s *Store) AdminActions(ctx context.Context, limit int) ([]AdminAction, error) {
	return list(ctx, s.r, "list admin actions", scanAdminAction, `SELECT a.id, a.at, coalesce(a.user_id, 0), coalesce(a.actor_id, 0),
		a.event, a.ip, a.detail, a.mac, coalesce(actor.username, ''), coalesce(target.username, '')
		FROM activity a
		LEFT JOIN users actor ON actor.id = a.actor_id
		LEFT JOIN users target ON target.id = a.user_id
		WHERE a.event IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			OR a.event = ? AND a.actor_id IS NOT NULL AND (a.actor_id != a.user_id OR actor.role = 'admin')
		ORDER BY a.id DESC LIMIT ?`,
		EventUserCreated, EventRoleChanged, EventUserDisabled, EventUserEnabled, EventUserDeleted,
		EventPasswordReset, EventImportUploaded, EventBreachEdited, EventBreachDeleted, EventHIBPKeyChanged, EventCorpusSync, EventEmailChanged, limit)
}

func scanAdminAction(rows rowScanner) (AdminAction, error) {
	var a AdminAction
	var at string
	err := rows.Scan(&a.ID, &at, &a.UserID, &a.ActorID, &a.Event, &a.IP, &a.Detail, &a.MAC, &a.ActorName, &a.UserName)
	a.At = parseTime(at)
	return a, err
}
