package routes

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
)

// reauth checks the password a signed-in user typed to confirm a change:
// their password, their two-factor settings, an admin's action on their
// own account. Wrong passwords count against reauthThrottleKey and are
// logged as failures at where. It returns "" and 0 when the password is
// right, else the message for the password field and the status to refuse
// the form with.
func (h *Handler) reauth(c *fiber.Ctx, user *store.User, password, where string) (string, int, error) {
	key := reauthThrottleKey(user.ID)
	if wait := h.throttle.Wait(key); wait > 0 {
		return fmt.Sprintf("Too many wrong passwords. Wait %s and try again.", humanDuration(wait)), fiber.StatusTooManyRequests, nil
	}
	ok, _, err := h.accounts.CheckPassword(c.UserContext(), user, password)
	if err != nil {
		return "", 0, err
	}
	if !ok {
		h.throttle.Fail(key)
		h.record(c, user.ID, user.ID, store.EventSignInFailed, "wrong current password at "+where)
		return "This is not your current password.", fiber.StatusUnprocessableEntity, nil
	}
	return "", 0, nil
}

// reauthThrottleKey counts wrong passwords typed by a signed-in user to
// confirm a change (their password, two-factor settings, an admin's own
// account). It is apart from the sign-in keys: only someone holding one of
// the account's sessions adds to it, so guessing at the sign-in form from
// outside never stops the user from changing their password.
func reauthThrottleKey(userID int64) string {
	return "reauth:" + strconv.FormatInt(userID, 10)
}
