package breaches

import (
	"context"
	"fmt"
	"path/filepath"

	"pcmt/breach"
	"pcmt/store"
)

// The rule of imports and syncs, whichever door starts them: the job is
// made (or, for a sync, begun or taken up again) with its log entry in one
// transaction, the entry naming the job. A log that refuses the entry
// leaves no job. Jobs the system takes up by itself (serve's restart, a
// command re-run that resumes an unfinished import) log nothing.

// importDetail is the log detail of an import job: the file, its size and
// the job.
func importDetail(j store.ImportJob) string {
	return fmt.Sprintf("%s (%d bytes), job %d", j.FileName, j.FileSize, j.ID)
}

// syncDetail is the log detail of a sync job: the corpus, where from and
// the job.
func syncDetail(mode store.PwnedMode) func(store.ImportJob) string {
	return func(j store.ImportJob) string {
		return fmt.Sprintf("%s corpus from %s, job %d", mode, j.Path, j.ID)
	}
}

func (s *Service) jobEntry(a Actor, event string, detail func(store.ImportJob) string) breach.Entry {
	return breach.Entry{Audit: s.audit, Event: s.entry(a, event, ""), Detail: detail}
}

// Upload submits the file a uploaded to the import jobs with o, and
// returns the job's id. The file is the job's: it is removed when the job
// ends, and when it is refused here.
func (s *Service) Upload(ctx context.Context, a Actor, u breach.Upload, o breach.Options) (int64, error) {
	u.UserID = a.ID
	return s.uploads.SubmitLogged(ctx, u, o, s.jobEntry(a, store.EventImportUploaded, importDetail))
}

// Import makes the command line's job for the file at path with o, or
// finds the unfinished one of the same file that a re-run resumes; Run it
// with the Importer.
func (s *Service) Import(ctx context.Context, path string, o breach.Options) (store.ImportJob, error) {
	return s.importer.NewLoggedJob(ctx, path, filepath.Base(path), "cli", 0, o,
		s.jobEntry(Actor{}, store.EventImportUploaded, importDetail))
}

// StartSync begins (or takes up) a's sync of mode's corpus and runs it in
// the background. A sync already running is refused with a
// *store.SyncRunningError.
func (s *Service) StartSync(ctx context.Context, a Actor, mode store.PwnedMode) (store.ImportJob, error) {
	return s.syncs.StartLogged(ctx, a.ID, mode, s.jobEntry(a, store.EventCorpusSync, syncDetail(mode)))
}

// BeginSync begins (or takes up, resumed says) the command line's sync of
// mode's corpus; Run it with the Syncer. A sync already running is
// refused with a *store.SyncRunningError.
func (s *Service) BeginSync(ctx context.Context, mode store.PwnedMode) (job store.ImportJob, resumed bool, err error) {
	return s.syncer.BeginLogged(ctx, "cli", 0, mode, s.jobEntry(Actor{}, store.EventCorpusSync, syncDetail(mode)))
}
