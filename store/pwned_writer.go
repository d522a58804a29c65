package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"pcmt/apperr"
)

// DefaultPwnedBatch is how many finished ranges a PwnedWriter commits in one
// transaction unless told otherwise. At the public corpus's density (about
// a thousand hashes a range) that is about half a million hashes, some 10 MB
// of buffer, per commit.
const DefaultPwnedBatch = 512

// pwnedRowsPerInsert bounds one multi-row INSERT: four variables a row stays
// far below SQLite's variable limit.
const pwnedRowsPerInsert = 128

// PwnedWriter imports a corpus from digests in ascending order, one range
// buffered at a time. Finished ranges are written in batches, each in its own
// transaction, so a crash loses at most the open batch. A range that already
// has rows is merged: counts of equal digests add up, so importing the same
// file twice doubles its counts.
//
// A PwnedWriter is not safe for concurrent use.
type PwnedWriter struct {
	s    *Store
	mode PwnedMode
	// Batch is how many finished ranges are committed together; set it
	// before the first Add. Zero means DefaultPwnedBatch.
	Batch int

	// job, when set, is the import job whose checkpoint each batch
	// commit moves, in the same transaction.
	job int64
	// skipThrough drops digests of ranges up to and including it: those a
	// resumed import already committed. -1 drops none.
	skipThrough int64
	mark        Position // where the digest being added was read
	open        Position // where the open range's first digest was read

	last    []byte // the previous digest, nil before the first
	cur     pwnedRows
	pending []pwnedRows
	err     error // sticky: a failed batch ends the import
	written int64
}

// pwnedRows is one range being built: keys back to back and their counts.
type pwnedRows struct {
	prefix uint32
	keys   []byte
	counts []uint64
}

// NewPwnedWriter starts an import into the mode's corpus.
func (s *Store) NewPwnedWriter(mode PwnedMode) (*PwnedWriter, error) {
	if err := mode.check(); err != nil {
		return nil, wrap("pwned writer", err)
	}
	return &PwnedWriter{s: s, mode: mode, skipThrough: -1}, nil
}

// Position is a place in an input file: a byte offset and the lines before
// it.
type Position struct{ Offset, Line int64 }

// Checkpoint makes every batch commit record, in its transaction, the
// job's last committed range and the position of the first digest not yet
// committed, so that a crash at any point leaves a consistent place to
// resume from. Call it before the first Add.
func (w *PwnedWriter) Checkpoint(job int64) { w.job = job }

// Resume makes the writer drop digests of ranges up to and including
// prefix: those an interrupted import already committed.
func (w *PwnedWriter) Resume(prefix int64) { w.skipThrough = prefix }

// Mark tells the writer where the next digest was read, for checkpoints.
func (w *PwnedWriter) Mark(p Position) { w.mark = p }

// Written is how many hashes have been committed so far.
func (w *PwnedWriter) Written() int64 { return w.written }

// Add adds one digest seen count times. Digests must come in ascending
// order; a repeated digest adds to the previous count, a smaller one is
// refused and ends the import.
func (w *PwnedWriter) Add(ctx context.Context, digest []byte, count uint64) error {
	if w.err != nil {
		return w.err
	}
	if err := w.mode.checkDigest(digest); err != nil {
		return wrap("pwned add", err)
	}
	if int64(PwnedPrefix(digest)) <= w.skipThrough {
		return nil
	}
	if w.last != nil {
		switch c := bytes.Compare(digest, w.last); {
		case c < 0:
			w.err = wrap("pwned add", fmt.Errorf("%X after %X: input not sorted: %w", digest, w.last, apperr.ErrInvalid))
			return w.err
		case c == 0:
			n := len(w.cur.counts) - 1
			w.cur.counts[n] = addSat(w.cur.counts[n], count)
			return nil
		}
	}
	prefix := PwnedPrefix(digest)
	if w.last != nil && prefix != w.cur.prefix {
		if err := w.finishRange(ctx); err != nil {
			return err
		}
	}
	if len(w.cur.counts) == 0 {
		w.open = w.mark
	}
	w.cur.prefix = prefix
	w.cur.keys = append(w.cur.keys, digest[pwnedKeyOffset:]...)
	w.cur.counts = append(w.cur.counts, count)
	w.last = append(w.last[:0], digest...)
	return nil
}

func (w *PwnedWriter) finishRange(ctx context.Context) error {
	if len(w.cur.counts) == 0 {
		return nil
	}
	w.pending = append(w.pending, w.cur)
	w.cur = pwnedRows{}
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultPwnedBatch
	}
	if len(w.pending) >= batch {
		return w.Flush(ctx)
	}
	return nil
}

// Flush commits every finished range; the range still being filled stays
// open, since later digests may belong to it.
func (w *PwnedWriter) Flush(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if len(w.pending) == 0 {
		return nil
	}
	defer w.s.pwnedGen.Add(1)
	err := w.s.tx(ctx, func(tx *sql.Tx) error {
		if err := w.writeBatch(ctx, tx); err != nil {
			return err
		}
		return w.checkpoint(ctx, tx)
	})
	if err != nil {
		w.err = wrap("pwned write", err)
		return w.err
	}
	for _, r := range w.pending {
		w.written += int64(len(r.counts))
	}
	w.pending = w.pending[:0]
	return nil
}

// Close commits everything added, the last range included. The writer is
// done afterwards.
func (w *PwnedWriter) Close(ctx context.Context) error {
	if err := w.finishRange(ctx); err != nil {
		return err
	}
	if err := w.Flush(ctx); err != nil {
		return err
	}
	w.err = errors.New("store: pwned writer closed")
	return nil
}

// checkpoint moves the job's resume point past the batch being committed:
// reading resumes at the open range's first digest, or at the mark when no
// range is open (everything read is in this batch).
func (w *PwnedWriter) checkpoint(ctx context.Context, tx *sql.Tx) error {
	if w.job == 0 {
		return nil
	}
	at := w.mark
	if len(w.cur.counts) > 0 {
		at = w.open
	}
	var n int64
	for _, r := range w.pending {
		n += int64(len(r.counts))
	}
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET ck_prefix = ?, ck_offset = ?, ck_line = ?,
		records = records + ?, bytes_done = max(bytes_done, ?) WHERE id = ?`,
		w.pending[len(w.pending)-1].prefix, at.Offset, at.Line, n, at.Offset, w.job)
	return err
}

// writeBatch merges the pending ranges with what the table already holds for
// them and upserts the result, many rows a statement.
func (w *PwnedWriter) writeBatch(ctx context.Context, tx *sql.Tx) error {
	existing, err := w.existing(ctx, tx)
	if err != nil {
		return err
	}
	ks := w.mode.keySize()
	rows := make([]any, 0, 4*pwnedRowsPerInsert)
	flush := func() (err error) {
		rows, err = upsertRanges(ctx, tx, rows)
		return err
	}
	for _, r := range w.pending {
		if old, ok := existing[r.prefix]; ok {
			r = mergePwned(ks, old, r)
		}
		rows = append(rows, string(w.mode), r.prefix, len(r.counts), packPwned(r))
		if len(rows) == 4*pwnedRowsPerInsert {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// existing reads the stored rows for the pending ranges, which lie between
// the first and the last pending prefix.
func (w *PwnedWriter) existing(ctx context.Context, tx *sql.Tx) (map[uint32]pwnedRows, error) {
	lo, hi := w.pending[0].prefix, w.pending[len(w.pending)-1].prefix
	rows, err := tx.QueryContext(ctx, `SELECT prefix, n, data FROM pwned_ranges
		WHERE mode = ? AND prefix BETWEEN ? AND ?`, string(w.mode), lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint32]pwnedRows{}
	for rows.Next() {
		r := PwnedRange{Mode: w.mode}
		if err := rows.Scan(&r.Prefix, &r.N, &r.Data); err != nil {
			return nil, err
		}
		u, err := unpackPwned(r)
		if err != nil {
			return nil, err
		}
		out[r.Prefix] = u
	}
	return out, rows.Err()
}

// packPwned lays a range out as stored: keys, then uvarint counts.
func packPwned(r pwnedRows) []byte {
	b := make([]byte, len(r.keys), len(r.keys)+2*len(r.counts))
	copy(b, r.keys)
	for _, c := range r.counts {
		b = binary.AppendUvarint(b, c)
	}
	return b
}

func unpackPwned(r PwnedRange) (pwnedRows, error) {
	ks := r.Mode.keySize()
	u := pwnedRows{prefix: r.Prefix, counts: make([]uint64, 0, r.N)}
	if r.N < 0 || len(r.Data) < r.N*ks {
		return u, fmt.Errorf("pwned range %s %05X: corrupt row", r.Mode, r.Prefix)
	}
	u.keys = r.Data[:r.N*ks]
	for _, c := range r.Entries() {
		u.counts = append(u.counts, c)
	}
	if len(u.counts) != r.N {
		return u, fmt.Errorf("pwned range %s %05X: corrupt counts", r.Mode, r.Prefix)
	}
	return u, nil
}

// mergePwned merges two sorted ranges of the same prefix, adding the counts
// of keys both hold.
func mergePwned(ks int, a, b pwnedRows) pwnedRows {
	out := pwnedRows{
		prefix: a.prefix,
		keys:   make([]byte, 0, len(a.keys)+len(b.keys)),
		counts: make([]uint64, 0, len(a.counts)+len(b.counts)),
	}
	i, j := 0, 0
	for i < len(a.counts) && j < len(b.counts) {
		ka, kb := a.keys[i*ks:(i+1)*ks], b.keys[j*ks:(j+1)*ks]
		switch c := bytes.Compare(ka, kb); {
		case c < 0:
			out.keys, out.counts = append(out.keys, ka...), append(out.counts, a.counts[i])
			i++
		case c > 0:
			out.keys, out.counts = append(out.keys, kb...), append(out.counts, b.counts[j])
			j++
		default:
			out.keys, out.counts = append(out.keys, ka...), append(out.counts, addSat(a.counts[i], b.counts[j]))
			i++
			j++
		}
	}
	out.keys = append(append(out.keys, a.keys[i*ks:]...), b.keys[j*ks:]...)
	out.counts = append(append(out.counts, a.counts[i:]...), b.counts[j:]...)
	return out
}

func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
