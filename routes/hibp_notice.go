package routes

import "pcmt/search"

// What a search result says when Have I Been Pwned was to be asked and its
// answer is missing: the search page, the password check and /api/v1 say
// the same.
const (
	noticeHIBPBusy   = "Have I Been Pwned is busy: these are local results only. Please try again in a moment."
	noticeHIBPFailed = "Have I Been Pwned could not be asked: these are local results only."
)

// hibpNotice is the line a result shows when HIBP was to be asked and
// could not be; "" otherwise.
func hibpNotice(s search.HIBP) string {
	switch s {
	case search.HIBPBusy:
		return noticeHIBPBusy
	case search.HIBPFailed:
		return noticeHIBPFailed
	}
	return ""
}
