package breach

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"pcmt/store"
)

// Jobs runs the admins' uploads as import jobs in the background, one at a
// time (imports share the one writer connection, and one import already
// keeps both cores busy).
type Jobs struct {
	im   *Importer
	log  *slog.Logger
	dir  string
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	queue   []int64
	wake    chan struct{}
	running bool
}

// NewJobs makes the runner; dir keeps the uploads (created 0700).
func NewJobs(im *Importer, dir string, log *slog.Logger) (*Jobs, error) {
	// Jobs keep absolute paths; so does the directory, to know its files.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("import jobs: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("import jobs: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	j := &Jobs{im: im, log: log, dir: dir, ctx: ctx, stop: stop, wake: make(chan struct{}, 1)}
	j.wg.Add(1)
	go j.work()
	return j, nil
}

// Dir is where uploads are written before they are submitted.
func (j *Jobs) Dir() string { return j.dir }

// MaxSize is the largest file an import takes.
func (j *Jobs) MaxSize() int64 { return j.im.MaxSize }

// Upload is a file an admin uploaded into Dir.
type Upload struct {
	Path   string
	Name   string // as the admin's browser named it
	Size   int64
	UserID int64
}

// Submit records a job for an uploaded file and queues it. The file is the
// job's: it is removed when the job ends, and on failure here. The job is
// not logged: an admin's upload goes through SubmitLogged.
func (j *Jobs) Submit(ctx context.Context, u Upload, o Options) (int64, error) {
	return j.submit(ctx, u, o, nil)
}

// SubmitLogged is Submit with the job made in one transaction with e's log
// entry: refused, it leaves no job and removes the file.
func (j *Jobs) SubmitLogged(ctx context.Context, u Upload, o Options, e Entry) (int64, error) {
	return j.submit(ctx, u, o, &e)
}

func (j *Jobs) submit(ctx context.Context, u Upload, o Options, e *Entry) (int64, error) {
	job, err := j.im.newJob(ctx, u.Path, u.Name, "web", u.UserID, o, e)
	if err != nil {
		os.Remove(u.Path)
		return 0, err
	}
	j.enqueue(job.ID)
	return job.ID, nil
}

func (j *Jobs) enqueue(id int64) {
	j.mu.Lock()
	j.queue = append(j.queue, id)
	j.mu.Unlock()
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Resume runs again the web jobs a restart interrupted, whose uploads are
// still there, and fails the others; a command-line job whose process is
// gone is failed too (a re-run of its command still resumes a corpus). No
// job stays "running" for ever.
func (j *Jobs) Resume(ctx context.Context) error {
	jobs, err := j.im.Store.UnfinishedImportJobs(ctx)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	for _, job := range jobs {
		if job.IsSync() {
			continue // SyncJobs.Resume's
		}
		if job.Origin != "web" {
			if job.State == store.JobRunning && job.Host == host && !alive(job.PID) {
				msg := "interrupted: the pcmt import process ended without finishing; run the same command again"
				if err := j.im.Store.FinishImportJob(ctx, job.ID, store.JobFailed, msg, "", -1, j.im.now()); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := os.Stat(job.Path); err != nil {
			msg := "interrupted by a restart, and its upload is gone: upload the file again"
			if err := j.im.Store.FinishImportJob(ctx, job.ID, store.JobFailed, msg, "", -1, j.im.now()); err != nil {
				return err
			}
			continue
		}
		j.log.Info("resuming import job", "job", job.ID, "file", job.FileName)
		j.enqueue(job.ID)
	}
	return nil
}

// alive says whether a process of this host is running: signal 0 checks
// without sending anything.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func (j *Jobs) work() {
	defer j.wg.Done()
	for {
		select {
		case <-j.ctx.Done():
			return
		case <-j.wake:
		}
		for {
			j.mu.Lock()
			if len(j.queue) == 0 || j.ctx.Err() != nil {
				j.mu.Unlock()
				break
			}
			id := j.queue[0]
			j.queue = j.queue[1:]
			j.mu.Unlock()
			j.run(id)
		}
	}
}

func (j *Jobs) run(id int64) {
	job, err := j.im.Store.ImportJobByID(j.ctx, id)
	if err != nil {
		j.log.Error("import job", "job", id, "err", err)
		return
	}
	sum, err := j.im.Run(j.ctx, job, nil)
	if errors.Is(err, context.Canceled) && j.ctx.Err() != nil {
		// Shutting down: the job stays for Resume at the next start.
		j.log.Info("import job interrupted by shutdown", "job", id)
		return
	}
	if err != nil {
		j.log.Warn("import job failed", "job", id, "err", err)
	} else {
		j.log.Info("import job done", "job", id, "summary", sum.String())
	}
	if filepath.Dir(job.Path) == j.dir {
		if err := os.Remove(job.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			j.log.Warn("removing upload", "job", id, "err", err)
		}
	}
}

// Close stops the runner: a running import is interrupted (rolled back, or
// for a corpus checkpointed) and resumed at the next start.
func (j *Jobs) Close() {
	j.stop()
	j.wg.Wait()
}
