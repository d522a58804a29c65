// Package breaches holds the rules of the admins' actions on breach data:
// editing and deleting a breach, starting an import (an upload on the
// pages, pcmt import on the command line), starting a corpus sync (the
// button, pcmt corpus sync) and setting the Have I Been Pwned API key. Each
// change and its activity log entry are one transaction, on the caller's
// clock, so that a change is never made unlogged and both doors log it
// alike. breach/ keeps the engine it drives (parsers, imports, syncs).
package breaches

import (
	"strings"
	"time"
	"unicode"

	"pcmt/apperr"
	"pcmt/breach"
	"pcmt/config"
	"pcmt/hibp"
	"pcmt/store"
)

// Service applies the breach-data rules against one store.
type Service struct {
	store    *store.Store
	audit    *store.Auditor
	keys     config.Keys
	uploads  *breach.Jobs
	importer *breach.Importer
	syncs    *breach.SyncJobs
	syncer   *breach.Syncer
	hibp     *hibp.Client
	hibpKey  string
	now      func() time.Time
}

// Deps is what a Service needs. The engines are those of the door: the
// pages pass Uploads and Syncs (nil when off), the command line Importer
// or Syncer; a use case whose engine is missing is not called.
type Deps struct {
	Store *store.Store
	// Keys chain the activity log (Audit) and seal the HIBP key.
	Keys     config.Keys
	Uploads  *breach.Jobs
	Importer *breach.Importer
	Syncs    *breach.SyncJobs
	Syncer   *breach.Syncer
	// HIBP is the client an admin's key is put to use in; nil when
	// Have I Been Pwned is off.
	HIBP *hibp.Client
	// HIBPKey is the configuration's key, in use when no admin set one.
	HIBPKey string
	// Now is the clock of log entries and of the changes they record; nil
	// is time.Now. Tests and the pages pass theirs.
	Now func() time.Time
}

// New builds the Service of d.
func New(d Deps) *Service {
	s := &Service{store: d.Store, audit: d.Store.Auditor(d.Keys.Audit), keys: d.Keys,
		uploads: d.Uploads, importer: d.Importer, syncs: d.Syncs, syncer: d.Syncer,
		hibp: d.HIBP, hibpKey: d.HIBPKey, now: d.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Actor is who acts: an admin of the pages and their address, or the
// command line (the zero Actor).
type Actor struct {
	ID int64
	IP string
}

// entry is a's log entry of event, on the Service's clock.
func (s *Service) entry(a Actor, event, detail string) *store.Activity {
	return &store.Activity{At: s.now(), ActorID: a.ID, IP: a.IP, Event: event, Detail: detail}
}

// Refused is what the rules turned down, a message per form field written
// for the admin who typed the value: the pages show each beside its field.
type Refused = apperr.Refused

// FieldMessage is a breach rule's refusal as a sentence beside its field:
// the engine's messages are lower-case fragments, made for error lines.
func FieldMessage(fe *breach.FieldError) string {
	if fe.Msg == "" {
		return "This value cannot be used."
	}
	m := []rune(fe.Msg)
	m[0] = unicode.ToUpper(m[0])
	msg := string(m)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
