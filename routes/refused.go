package routes

import (
	"errors"

	"pcmt/accounts"
	"pcmt/breaches"
	"pcmt/store"
	"pcmt/views"
)

// fieldErrors are the messages beside the fields of a form that the
// accounts rules refused, or nil when err is no refusal. names renames the
// rules' fields to the form's where they differ.
func fieldErrors(err error, names map[accounts.Field]string) views.FieldErrors {
	errs := views.FieldErrors{}
	var refused accounts.Refused
	switch {
	case errors.As(err, &refused):
		for f, msg := range refused {
			name := string(f)
			if n, ok := names[f]; ok {
				name = n
			}
			errs[name] = msg
		}
	case errors.Is(err, store.ErrUsernameTaken):
		errs["username"] = store.ErrUsernameTaken.Message
	case errors.Is(err, store.ErrEmailTaken):
		errs["email"] = store.ErrEmailTaken.Message
	default:
		return nil
	}
	return errs
}

// refusedErrors is a refusal of the breaches rules as the form's errors,
// nil for any other error.
func refusedErrors(err error) views.FieldErrors {
	var refused breaches.Refused
	if !errors.As(err, &refused) {
		return nil
	}
	return views.FieldErrors(refused)
}
