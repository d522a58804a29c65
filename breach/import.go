package breach

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"pcmt/apperr"
	"pcmt/store"
)

// Importer reads breach files into the store: YAML breaches, line lists and
// Pwned Passwords corpora, always streaming.
type Importer struct {
	Store *store.Store
	// TempDir holds sort runs; "" is the system's temporary directory.
	TempDir string
	// MaxSize refuses larger files before reading them.
	MaxSize int64
	Log     *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Every is how often progress is reported and saved; 0 is a second.
	Every time.Duration
	// PwnedBatch is how many ranges a corpus import commits at a time; 0
	// is store.DefaultPwnedBatch.
	PwnedBatch int
	// AfterBreaches, when set, is called with the ids of the breaches a
	// file stored, once they are committed (the watchlist match). Its
	// context outlives a cancelled import: the data is in by then.
	AfterBreaches func(ctx context.Context, ids []int64)
}

// Progress is how far an import has got.
type Progress struct {
	Phase   string // "reading", "sorting", "storing"
	Bytes   int64  // of the file read
	Total   int64  // the file's size
	Records int64
	Skipped int64
	Invalid int64
	Elapsed time.Duration
}

// Summary is what an import did.
type Summary struct {
	Format   Format
	Breaches []string // names imported, in file order
	Corpus   store.PwnedMode
	Records  int64
	Skipped  int64
	Invalid  int64
	Elapsed  time.Duration
}

func (s Summary) String() string {
	what := fmt.Sprintf("%d breach(es)", len(s.Breaches))
	if s.Corpus != "" {
		what = "the " + string(s.Corpus) + " Pwned Passwords corpus"
	}
	return fmt.Sprintf("imported %s: %d records, %d skipped, %d invalid, in %s",
		what, s.Records, s.Skipped, s.Invalid, s.Elapsed.Round(time.Millisecond))
}

func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now()
	}
	return time.Now()
}

// ErrTooLarge refuses a file over the size limit.
var ErrTooLarge = apperr.New(apperr.Invalid, "The file is larger than the import size limit.")

// Fingerprint identifies a file's content well enough to tell a re-run of
// the same import from a new one: size, modification time and the SHA-256
// of its first 64 KiB.
func Fingerprint(f *os.File) (string, error) {
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 64<<10)); err != nil {
		return "", err
	}
	return strconv.FormatInt(st.Size(), 10) + "-" + strconv.FormatInt(st.ModTime().UnixNano(), 10) + "-" +
		hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// NewJob records an import of path, or finds the unfinished one of the same
// file that a re-run resumes. It refuses files over MaxSize up front. The
// job is not logged: a person's import goes through NewLoggedJob.
func (im *Importer) NewJob(ctx context.Context, path, name, origin string, user int64, o Options) (store.ImportJob, error) {
	return im.newJob(ctx, path, name, origin, user, o, nil)
}

// NewLoggedJob is NewJob for an import a person starts: the job is made
// with e's log entry in one transaction, at the entry's time. A job found
// unfinished is taken up as it is, and logs nothing: its making did.
func (im *Importer) NewLoggedJob(ctx context.Context, path, name, origin string, user int64, o Options, e Entry) (store.ImportJob, error) {
	return im.newJob(ctx, path, name, origin, user, o, &e)
}

func (im *Importer) newJob(ctx context.Context, path, name, origin string, user int64, o Options, e *Entry) (store.ImportJob, error) {
	if err := o.Validate(); err != nil {
		return store.ImportJob{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return store.ImportJob{}, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return store.ImportJob{}, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return store.ImportJob{}, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return store.ImportJob{}, fmt.Errorf("%s: not a regular file: %w", path, apperr.ErrInvalid)
	}
	if im.MaxSize > 0 && st.Size() > im.MaxSize {
		return store.ImportJob{}, fmt.Errorf("%s: %d bytes is over the import limit of %d (Import.MaxSize): %w",
			path, st.Size(), im.MaxSize, ErrTooLarge)
	}
	fp, err := Fingerprint(f)
	if err != nil {
		return store.ImportJob{}, fmt.Errorf("%s: %w", path, err)
	}
	if origin == "cli" {
		if j, err := im.Store.UnfinishedImportJobFor(ctx, abs, fp); err == nil && j.Options == o.JSON() {
			return j, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.ImportJob{}, err
		}
	}
	j := store.ImportJob{Origin: origin, CreatedBy: user, Path: abs, FileName: name, FileSize: st.Size(),
		Fingerprint: fp, Format: string(o.Format), Options: o.JSON()}
	if e != nil {
		j.ID, err = e.Audit.CreateImportJob(ctx, j, e.Event, e.Detail)
	} else {
		j.ID, err = im.Store.CreateImportJob(ctx, j, im.now())
	}
	if err != nil {
		return store.ImportJob{}, err
	}
	return im.Store.ImportJobByID(ctx, j.ID)
}

// Run imports a job's file. The job ends done (in the transaction that
// stores the data) or failed with the error; report, when set, is called
// about every second from another goroutine.
func (im *Importer) Run(ctx context.Context, job store.ImportJob, report func(Progress)) (Summary, error) {
	start := im.now()
	sum, err := im.run(ctx, job, report, start)
	sum.Elapsed = im.now().Sub(start)
	if err != nil && !errors.Is(err, context.Canceled) {
		// An interrupted job stays unfinished, for a re-run (or the next
		// start, for an upload) to resume; any other failure is saved,
		// even when the context ends meanwhile.
		if ferr := im.Store.FinishImportJob(context.WithoutCancel(ctx), job.ID, store.JobFailed, err.Error(), "", -1, im.now()); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}
	return sum, err
}

func (im *Importer) run(ctx context.Context, job store.ImportJob, report func(Progress), start time.Time) (Summary, error) {
	o, err := ParseOptions(job.Options)
	if err != nil {
		return Summary{}, err
	}
	f, err := os.Open(job.Path)
	if err != nil {
		return Summary{}, fmt.Errorf("%s: %w", job.FileName, err)
	}
	defer f.Close()
	if fp, err := Fingerprint(f); err != nil || fp != job.Fingerprint {
		return Summary{}, fmt.Errorf("%s: the file changed since the import began: %w", job.FileName, apperr.ErrInvalid)
	}
	format := o.Format
	if format == "" {
		head := make([]byte, 64<<10)
		n, err := io.ReadFull(f, head)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return Summary{}, fmt.Errorf("%s: %w", job.FileName, err)
		}
		format = Sniff(head[:n])
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Summary{}, err
		}
	}
	host, _ := os.Hostname()
	if err := im.Store.StartImportJob(ctx, job.ID, string(format), os.Getpid(), host, im.now()); err != nil {
		return Summary{}, err
	}
	t := newMeter(f, job.FileSize)
	t.start = start
	stop := im.watch(ctx, job, t, report, start)
	defer stop()
	sum := Summary{Format: format}
	switch format {
	case FormatPwned:
		err = im.importPwned(ctx, job, o, t, &sum)
	case FormatYAML:
		err = im.importYAML(ctx, job, o, t, &sum)
	default:
		err = im.importLines(ctx, job, o, t, &sum)
	}
	return sum, err
}

// meter counts what an import has read and done, for the progress
// reports of another goroutine.
type meter struct {
	f                                *os.File
	total                            int64
	bytes, records, skipped, invalid atomic.Int64
	phase                            atomic.Pointer[string]
	committedOnly                    bool // records are saved by checkpoints
	start                            time.Time
}

func newMeter(f *os.File, total int64) *meter {
	t := &meter{f: f, total: total}
	t.setPhase("reading")
	return t
}

func (t *meter) setPhase(p string) { t.phase.Store(&p) }

// Read counts bytes as they are read.
func (t *meter) Read(p []byte) (int, error) {
	n, err := t.f.Read(p)
	t.bytes.Add(int64(n))
	return n, err
}

func (t *meter) progress(elapsed time.Duration) Progress {
	return Progress{Phase: *t.phase.Load(), Bytes: t.bytes.Load(), Total: t.total,
		Records: t.records.Load(), Skipped: t.skipped.Load(), Invalid: t.invalid.Load(), Elapsed: elapsed}
}

// watch reports and saves progress every tick until stopped.
func (im *Importer) watch(ctx context.Context, job store.ImportJob, t *meter, report func(Progress), start time.Time) func() {
	every := im.Every
	if every <= 0 {
		every = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			p := t.progress(im.now().Sub(start))
			if report != nil {
				report(p)
			}
			records := p.Records
			if t.committedOnly {
				records = -1
			}
			if err := im.Store.ImportJobProgress(ctx, job.ID, p.Bytes, records, p.Skipped, p.Invalid); err != nil && im.Log != nil {
				im.Log.Warn("saving import progress", "job", job.ID, "err", err)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
