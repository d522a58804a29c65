package hibp

import (
	"fmt"
	"net/http"

	"pcmt/apperr"
)

// The client's typed errors. Each is an *apperr.Error, so the one error
// handler maps it to a status and a message safe to show; they are wrapped
// with the endpoint's name only, never the URL, the key or the account.
var (
	// ErrNoKey: the call needs an API key and none is set; no request was
	// made.
	ErrNoKey = apperr.New(apperr.Unprocessable, "No Have I Been Pwned API key is set.")
	// ErrBadKey: HIBP answered 401 to the API key.
	ErrBadKey = apperr.New(apperr.Unprocessable, "Have I Been Pwned refused the API key.")
	// ErrNotFound: HIBP knows no such breach.
	ErrNotFound = apperr.New(apperr.NotFound, "Have I Been Pwned knows no such breach.")
	// ErrForbidden: HIBP answered 403, which it does to requests without a
	// user agent; a bug on this side.
	ErrForbidden = apperr.New(apperr.Internal, "Have I Been Pwned refused the request.")
	// ErrRateLimited: HIBP kept answering 429, or asked for a pause longer
	// than Options.MaxRetryWait or the caller's deadline.
	ErrRateLimited = apperr.New(apperr.TooManyRequests, "Have I Been Pwned is busy: please try again in a moment.")
	// ErrUnavailable: HIBP answered with a server error (5xx).
	ErrUnavailable = apperr.New(apperr.Internal, "Have I Been Pwned is unavailable.")
	// ErrBadPrefix: a range prefix is not 5 hexadecimal digits.
	ErrBadPrefix = apperr.New(apperr.Invalid, "A hash prefix is 5 hexadecimal digits.")
	// ErrBadMode: a range mode is neither ModeSHA1 nor ModeNTLM.
	ErrBadMode = apperr.New(apperr.Invalid, "The hash mode is sha1 or ntlm.")
	// ErrNoAccount: the account searched is empty.
	ErrNoAccount = apperr.New(apperr.Invalid, "Please enter an e-mail address or username.")

	// errNoUser: an account lookup without the user it is for, whose
	// cache alone may keep the answer; a bug of the caller.
	errNoUser = apperr.New(apperr.Internal, "Have I Been Pwned was asked on behalf of nobody.")
)

// StatusError is an answer with a status the client does not expect.
type StatusError struct {
	Endpoint string // the endpoint's name, e.g. "breaches"
	Status   int
}

// Error names the endpoint and the status, nothing of the request.
func (e *StatusError) Error() string {
	return fmt.Sprintf("hibp: %s: unexpected status %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
}

// Unwrap makes server errors match ErrUnavailable and 400 match
// apperr.ErrInvalid (HIBP's answer to a malformed account).
func (e *StatusError) Unwrap() error {
	switch {
	case e.Status >= 500:
		return ErrUnavailable
	case e.Status == http.StatusBadRequest:
		return apperr.ErrInvalid
	}
	return nil
}
