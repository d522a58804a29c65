package store

import "pcmt/apperr"

// The store's errors are the application's typed errors, so a handler can
// pass them up unchanged and the one error handler picks the status.
var (
	ErrNotFound = apperr.ErrNotFound
	ErrConflict = apperr.ErrConflict
)
