package routes

import (
	"errors"

	"pcmt/accounts"
	"pcmt/apperr"
	"pcmt/store"
	"pcmt/views"
)

// fieldErrors are the messages beside the fields of a form that the rules
// of accounts/ or breaches/ refused, or nil when err is no refusal. names renames the
// rules' fields to the form's where they differ.
func fieldErrors(err error, names map[accounts.Field]string) views.FieldErrors {
	errs := views.FieldErrors{}
	var refused apperr.Refused
	switch {
	case errors.As(err, &refused):
		for f, msg := range refused {
			name := f
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
