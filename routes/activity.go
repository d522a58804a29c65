package routes

import (
	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// eventText is how each event of the activity log reads, on a user's own
// activity page and in the admin's audit log.
var eventText = map[string]string{
	store.EventSignIn:          "Signed in",
	store.EventSignInFailed:    "Failed sign-in",
	store.EventSignInThrottled: "Sign-in refused: too many failures",
	store.EventSignOut:         "Signed out",
	store.EventSignUp:          "Account created (sign-up)",
	store.EventPasswordChanged: "Password changed",
	store.EventEmailChanged:    "E-mail address changed",
	store.EventSessionsRevoked: "Sessions signed out",
	store.EventTOTPEnabled:     "Two-factor sign-in turned on",
	store.EventTOTPDisabled:    "Two-factor sign-in turned off",
	store.EventRecoveryUsed:    "Recovery code used",
	store.EventUserCreated:     "Account created by an admin",
	store.EventRoleChanged:     "Role changed by an admin",
	store.EventUserDisabled:    "Account disabled by an admin",
	store.EventUserEnabled:     "Account enabled by an admin",
	store.EventUserDeleted:     "Account deleted by an admin",
	store.EventPasswordReset:   "Password reset by an admin",

	store.EventRecoveryCodesReplaced: "New recovery codes made",

	store.EventTokenCreated: "API token created",
	store.EventTokenRevoked: "API token revoked",

	store.EventImportUploaded: "Breach file queued for import",
	store.EventBreachEdited:   "Breach edited",
	store.EventBreachDeleted:  "Breach deleted",
	store.EventHIBPKeyChanged: "Have I Been Pwned API key changed",
	store.EventCorpusSync:     "Pwned Passwords sync started",
}

// describeEvent is the text of e's event; an event without one reads as
// its name.
func describeEvent(e store.Activity) string {
	if t, ok := eventText[e.Event]; ok {
		return t
	}
	return e.Event
}

// record appends an entry that changes nothing else (a failed or refused
// sign-in), at the handler's clock; a failure is logged, never shown. A
// change and its entry go through accounts, in one transaction.
func (h *Handler) record(c *fiber.Ctx, userID, actorID int64, event, detail string) {
	ev := &store.Activity{At: h.now(), UserID: userID, ActorID: actorID, Event: event, IP: h.clientIP(c), Detail: detail}
	if err := h.audit.Append(c.UserContext(), ev); err != nil {
		h.log.Error("activity log", "err", err, "event", event, "request_id", requestIDOf(c))
	}
}
