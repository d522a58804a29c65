// Package rangeapi answers GET /range/{prefix} as the public Pwned Passwords
// range API does, from the instance's corpus: the parsing of a prefix and
// mode, the kept answers of hot ranges, the formatting and padding, the
// ETag and 304s, and with HIBP the read-through mirror that fills a range
// never stored. routes/ holds the route table's /range row, its access and
// the middleware every request passes; this package holds the rest.
package rangeapi

import (
	"errors"
	"log/slog"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// Deps is what the range answers need.
type Deps struct {
	Store *store.Store
	// Mirror fills ranges never stored from the Pwned Passwords range
	// API; nil without HIBP, when such a range is an empty answer.
	Mirror *breach.Mirror
	// Log gets the mirror's upstream failures.
	Log *slog.Logger
	// Now is the clock kept answers age by; nil is time.Now. It is called
	// on every request, so it is the clock itself rather than a wrapper.
	Now func() time.Time
}

// Server answers /range. One is built per app: it holds the answers kept
// for hot ranges, which every caller shares (see rangeCache).
type Server struct {
	store  *store.Store
	log    *slog.Logger
	now    func() time.Time
	ranges *rangeCache // recent /range answers
	// mirror fills ranges never stored from upstream; nil without HIBP.
	mirror *breach.Mirror
}

// New builds the Server of d.
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Log == nil {
		return nil, errors.New("rangeapi: missing dependency")
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Server{store: d.Store, log: d.Log, now: now, ranges: newRangeCache(rangeCacheBytes), mirror: d.Mirror}, nil
}
