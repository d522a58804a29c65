package breach

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"pcmt/apperr"
	"pcmt/store"
)

// A corpus import commits in batches of ranges, each with a checkpoint in
// the same transaction, so a killed import resumes where its last commit
// ended: no hash twice, none missing. Sorted input (the public dump is
// sorted) streams straight into the writer; input found out of order is
// started over through the external sorter.

const (
	phaseSorted   = "sorted"
	phaseUnsorted = "unsorted"
)

func modeOf(size int) (store.PwnedMode, error) {
	switch size {
	case 20:
		return store.PwnedSHA1, nil
	case 16:
		return store.PwnedNTLM, nil
	}
	return "", fmt.Errorf("digests of %d bytes: %w", size, apperr.ErrInvalid)
}

func (im *Importer) importPwned(ctx context.Context, job store.ImportJob, o Options, t *meter, sum *Summary) error {
	t.committedOnly = true
	mode, err := pwnedMode(t, job.FileName)
	if err != nil {
		return err
	}
	phase := job.Phase
	if phase == "" {
		phase = phaseSorted
		if err := im.Store.BeginPwnedImport(ctx, job.ID, mode, phase, o.Replace); err != nil {
			return fmt.Errorf("%s: %w", job.FileName, err)
		}
		job.CkPrefix, job.CkOffset, job.CkLine = -1, 0, 0
	}
	if phase == phaseUnsorted {
		return im.pwnedUnsorted(ctx, job, mode, t, sum)
	}
	if _, err := t.f.Seek(job.CkOffset, io.SeekStart); err != nil {
		return err
	}
	t.bytes.Store(job.CkOffset)
	r := NewPwnedReader(bufio.NewReaderSize(t, 1<<20), job.FileName)
	r.SetPosition(job.CkOffset, job.CkLine)
	at := store.Position{Offset: r.Offset(), Line: r.Line()}
	d, count, err := r.Next()
	if err == io.EOF {
		return im.finishPwned(ctx, job, t, sum, mode)
	}
	if err != nil {
		return err
	}
	w, err := im.pwnedWriter(job, mode)
	if err != nil {
		return err
	}
	last := make([]byte, 0, 20)
	for {
		if len(last) > 0 && bytes.Compare(d, last) < 0 {
			// Out of order: what was written goes, and the file is read
			// again through the sorter.
			if err := im.Store.RestartPwnedImport(ctx, job.ID, mode, phaseUnsorted); err != nil {
				return err
			}
			job.CkPrefix = -1
			return im.pwnedUnsorted(ctx, job, mode, t, sum)
		}
		last = append(last[:0], d...)
		w.Mark(at)
		if err := w.Add(ctx, d, count); err != nil {
			return err
		}
		t.records.Add(1)
		at = store.Position{Offset: r.Offset(), Line: r.Line()}
		d, count, err = nextPwned(r, mode, job.FileName)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if r.Line()&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	w.Mark(at)
	if err := w.Close(ctx); err != nil {
		return err
	}
	return im.finishPwned(ctx, job, t, sum, mode)
}

// pwnedUnsorted reads the whole file into the external sorter and writes
// it in order, skipping the ranges a previous run committed.
func (im *Importer) pwnedUnsorted(ctx context.Context, job store.ImportJob, mode store.PwnedMode, t *meter, sum *Summary) error {
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	t.bytes.Store(0)
	t.setPhase("sorting")
	ps, err := store.NewPwnedSorter(mode, im.TempDir)
	if err != nil {
		return err
	}
	defer ps.Close()
	r := NewPwnedReader(bufio.NewReaderSize(t, 1<<20), job.FileName)
	for {
		d, count, err := nextPwned(r, mode, job.FileName)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := ps.Add(d, count); err != nil {
			return err
		}
		if r.Line()&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	t.setPhase("storing")
	w, err := im.pwnedWriter(job, mode)
	if err != nil {
		return err
	}
	if err := ps.WriteTo(ctx, w); err != nil {
		return err
	}
	if err := w.Close(ctx); err != nil {
		return err
	}
	return im.finishPwned(ctx, job, t, sum, mode)
}

// nextPwned reads the next hash of a corpus of mode: a resumed read
// starts mid-file, so its lines are checked against the file's first.
func nextPwned(r *PwnedReader, mode store.PwnedMode, file string) ([]byte, uint64, error) {
	d, c, err := r.Next()
	if err == nil && len(d) != mode.Size() {
		err = fmt.Errorf("%s: line %d: a %d-byte hash in a %s corpus: %w", file, r.Line(), len(d), mode, apperr.ErrInvalid)
	}
	return d, c, err
}

// pwnedMode reads the file's first hash to tell SHA-1 from NTLM.
func pwnedMode(t *meter, file string) (store.PwnedMode, error) {
	r := NewPwnedReader(io.NewSectionReader(t.f, 0, 1<<20), file)
	d, _, err := r.Next()
	if err == io.EOF {
		return "", fmt.Errorf("%s: no hashes: %w", file, apperr.ErrInvalid)
	}
	if err != nil {
		return "", err
	}
	return modeOf(len(d))
}

func (im *Importer) finishPwned(ctx context.Context, job store.ImportJob, t *meter, sum *Summary, mode store.PwnedMode) error {
	j, err := im.Store.ImportJobByID(ctx, job.ID)
	if err != nil {
		return err
	}
	sum.Corpus = mode
	sum.Records = j.Records
	s := *sum
	s.Elapsed = im.now().Sub(t.start)
	return im.Store.FinishImportJob(ctx, job.ID, store.JobDone, "", s.String(), j.Records, im.now())
}

// pwnedWriter is the corpus writer of job: its batches checkpointed in the
// job's row, resuming after the last prefix the row says was stored.
func (im *Importer) pwnedWriter(job store.ImportJob, mode store.PwnedMode) (*store.PwnedWriter, error) {
	w, err := im.Store.NewPwnedWriter(mode)
	if err != nil {
		return nil, err
	}
	w.Batch = im.PwnedBatch
	w.Checkpoint(job.ID)
	w.Resume(job.CkPrefix)
	return w, nil
}
