package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"pcmt/apperr"
)

// pwnedBuckets is how many temporary files a PwnedSorter spreads digests
// over, by their first byte. Sorting holds one bucket in memory: for the
// full public SHA-1 corpus (~1e9 hashes, 28 bytes a record) about 110 MB.
const pwnedBuckets = 256

// PwnedSorter is the way in for digests that do not come sorted: an external
// sort. Add writes each digest to one of 256 temporary files by its first
// byte; WriteTo then sorts one file at a time in memory and feeds a
// PwnedWriter in order, so memory holds one bucket, not the corpus.
//
// Close removes the temporary files; call it in every case.
type PwnedSorter struct {
	mode  PwnedMode
	dir   string
	files [pwnedBuckets]*os.File
	bufs  [pwnedBuckets]*bufio.Writer
	rec   []byte
	err   error
}

// NewPwnedSorter creates the sorter's temporary files under dir (the system
// temporary directory when empty), readable by the owner only.
func NewPwnedSorter(mode PwnedMode, dir string) (*PwnedSorter, error) {
	if err := mode.check(); err != nil {
		return nil, wrap("pwned sorter", err)
	}
	tmp, err := os.MkdirTemp(dir, "pcmt-pwned-*")
	if err != nil {
		return nil, fmt.Errorf("store: pwned sorter: %w", err)
	}
	p := &PwnedSorter{mode: mode, dir: tmp, rec: make([]byte, mode.Size()+8)}
	for i := range p.files {
		f, err := os.CreateTemp(tmp, "bucket-*")
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: pwned sorter: %w", err), p.Close())
		}
		p.files[i], p.bufs[i] = f, bufio.NewWriterSize(f, 32<<10)
	}
	return p, nil
}

// Add records one digest seen count times, in any order.
func (p *PwnedSorter) Add(digest []byte, count uint64) error {
	if p.err != nil {
		return p.err
	}
	if err := p.mode.checkDigest(digest); err != nil {
		return wrap("pwned sort", err)
	}
	copy(p.rec, digest)
	binary.LittleEndian.PutUint64(p.rec[len(digest):], count)
	if _, err := p.bufs[digest[0]].Write(p.rec); err != nil {
		p.err = fmt.Errorf("store: pwned sort: %w", err)
	}
	return p.err
}

// WriteTo sorts the digests added and adds them to w in ascending order. It
// does not close w. The sorter takes no more digests afterwards.
func (p *PwnedSorter) WriteTo(ctx context.Context, w *PwnedWriter) error {
	if p.err != nil {
		return p.err
	}
	p.err = errors.New("store: pwned sorter already written")
	if w.mode != p.mode {
		return wrap("pwned sort", fmt.Errorf("sorter holds %s, writer takes %s: %w", p.mode, w.mode, apperr.ErrInvalid))
	}
	size, rs := p.mode.Size(), len(p.rec)
	for i, f := range p.files {
		if err := p.bufs[i].Flush(); err != nil {
			return fmt.Errorf("store: pwned sort: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("store: pwned sort: %w", err)
		}
		data, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("store: pwned sort: %w", err)
		}
		recs := make([][]byte, 0, len(data)/rs)
		for off := 0; off+rs <= len(data); off += rs {
			recs = append(recs, data[off:off+rs])
		}
		slices.SortFunc(recs, func(a, b []byte) int { return bytes.Compare(a[:size], b[:size]) })
		// The writer adds up repeated digests.
		for _, r := range recs {
			if err := w.Add(ctx, r[:size], binary.LittleEndian.Uint64(r[size:])); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close removes the temporary files.
func (p *PwnedSorter) Close() error {
	var errs []error
	for _, f := range p.files {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(append(errs, os.RemoveAll(p.dir))...)
}
