// Package apperr holds the typed errors every layer shares, and the HTTP
// status each one maps to.
package apperr

import (
	"errors"
	"net/http"
)

// Code is the kind of an application error.
type Code int

// The kinds of error the application distinguishes.
const (
	Internal Code = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	Conflict
	Unprocessable
	TooManyRequests
	Unavailable
)

// Error is an application error: a kind and a message safe to show users.
type Error struct {
	Code    Code
	Message string
	// kind marks the sentinels below, which stand for every error of
	// their code.
	kind bool
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrNotFound) match any *Error of code NotFound;
// other errors match only themselves.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.kind && t.Code == e.Code
}

func kind(code Code, message string) *Error { return &Error{Code: code, Message: message, kind: true} }

// Sentinels to wrap and to test against with errors.Is: each matches every
// error of its code.
var (
	ErrInvalid         = kind(Invalid, "The request is not valid.")
	ErrUnauthorized    = kind(Unauthorized, "Please sign in.")
	ErrForbidden       = kind(Forbidden, "You may not do that.")
	ErrNotFound        = kind(NotFound, "There is nothing here.")
	ErrConflict        = kind(Conflict, "That already exists.")
	ErrUnprocessable   = kind(Unprocessable, "Please check the form.")
	ErrTooManyRequests = kind(TooManyRequests, "Too many requests: please wait a moment.")
)

// New returns an error of code with a message safe to show users.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Status is the HTTP status for err: the code of the outermost *Error it
// wraps, 500 for anything else.
func Status(err error) int {
	var e *Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	return statuses[e.Code]
}

// InternalMessage is all users see of an internal error.
const InternalMessage = "Something went wrong on our side. It has been logged; please try again."

// Message is the text safe to show users for err; internal errors get a
// generic sentence, never their own text.
func Message(err error) string {
	var e *Error
	if !errors.As(err, &e) || e.Code == Internal {
		return InternalMessage
	}
	return e.Message
}

var statuses = map[Code]int{
	Internal:        http.StatusInternalServerError,
	Invalid:         http.StatusBadRequest,
	Unauthorized:    http.StatusUnauthorized,
	Forbidden:       http.StatusForbidden,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	Unprocessable:   http.StatusUnprocessableEntity,
	TooManyRequests: http.StatusTooManyRequests,
	Unavailable:     http.StatusServiceUnavailable,
}
