package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"sort"

	"pcmt/apperr"
)

// PwnedMode names the hash of a Pwned Passwords corpus.
type PwnedMode string

// The two corpora the public range API serves.
const (
	PwnedSHA1 PwnedMode = "sha1"
	PwnedNTLM PwnedMode = "ntlm"
)

// pwnedKeyOffset is where a stored key starts in the digest: the first two
// bytes are implied by the prefix. The prefix's last hex digit (the high
// nibble of byte 2) is kept in the key so keys stay byte-aligned; it costs
// half a byte per hash and makes the key's hex, less its first digit, the
// range API's suffix.
const pwnedKeyOffset = 2

// Size is the digest length of the mode in bytes, 0 for an unknown mode.
func (m PwnedMode) Size() int {
	switch m {
	case PwnedSHA1:
		return 20
	case PwnedNTLM:
		return 16
	}
	return 0
}

// keySize is the stored width of one entry's key.
func (m PwnedMode) keySize() int { return m.Size() - pwnedKeyOffset }

func (m PwnedMode) check() error {
	if m.Size() == 0 {
		return fmt.Errorf("unknown pwned mode %q: %w", m, apperr.ErrInvalid)
	}
	return nil
}

func (m PwnedMode) checkDigest(digest []byte) error {
	if err := m.check(); err != nil {
		return err
	}
	if len(digest) != m.Size() {
		return fmt.Errorf("%s digest of %d bytes: %w", m, len(digest), apperr.ErrInvalid)
	}
	return nil
}

// PwnedPrefix is the 20-bit range (the first five hex digits) of a digest.
func PwnedPrefix(digest []byte) uint32 {
	return uint32(digest[0])<<12 | uint32(digest[1])<<4 | uint32(digest[2])>>4
}

// PwnedRange is one range of a corpus as stored: N entries sorted by key.
// An empty range has N == 0.
type PwnedRange struct {
	Mode   PwnedMode
	Prefix uint32
	N      int
	// Data is N keys of Mode's key width followed by N uvarint counts.
	Data []byte
}

// Key is the i-th entry's key: the digest without its first two bytes. Its
// hex form without the first digit is the range API's suffix.
func (r PwnedRange) Key(i int) []byte {
	w := r.Mode.keySize()
	return r.Data[i*w : (i+1)*w]
}

// Entries yields every entry's key and count in order. The key aliases Data.
func (r PwnedRange) Entries() iter.Seq2[[]byte, uint64] {
	return func(yield func([]byte, uint64) bool) {
		w := r.Mode.keySize()
		counts := r.Data[r.N*w:]
		for i := range r.N {
			c, k := binary.Uvarint(counts)
			if k <= 0 {
				return
			}
			counts = counts[k:]
			if !yield(r.Data[i*w:(i+1)*w], c) {
				return
			}
		}
	}
}

// Find returns the count of key (a digest without its first two bytes), or
// false when the range does not hold it: a binary search.
func (r PwnedRange) Find(key []byte) (uint64, bool) {
	w := r.Mode.keySize()
	i := sort.Search(r.N, func(i int) bool { return bytes.Compare(r.Data[i*w:(i+1)*w], key) >= 0 })
	if i == r.N || !bytes.Equal(r.Data[i*w:(i+1)*w], key) {
		return 0, false
	}
	counts := r.Data[r.N*w:]
	for ; i > 0; i-- {
		_, k := binary.Uvarint(counts)
		if k <= 0 {
			return 0, false
		}
		counts = counts[k:]
	}
	c, k := binary.Uvarint(counts)
	return c, k > 0
}

const pwnedRangeQuery = `SELECT n, data FROM pwned_ranges WHERE mode = ? AND prefix = ?`

// PwnedRange reads one range of the corpus in one row read, with its own
// copy of the row. A range with no hashes comes back empty, not as
// ErrNotFound: for the range API every prefix exists.
func (s *Store) PwnedRange(ctx context.Context, mode PwnedMode, prefix uint32) (PwnedRange, error) {
	out := PwnedRange{Mode: mode, Prefix: prefix}
	err := s.WithPwnedRange(ctx, mode, prefix, func(r PwnedRange) error {
		out.N, out.Data = r.N, bytes.Clone(r.Data)
		return nil
	})
	return out, err
}

// PwnedGeneration changes whenever this process writes to a corpus, so
// that answers kept in memory know when they are stale.
func (s *Store) PwnedGeneration() uint64 { return s.pwnedGen.Load() }

// WithPwnedRange calls fn with one range read in place: its Data aliases
// the database row and is valid only during fn, which saves copying ~20 KB
// for each answer of /range and each exact check.
func (s *Store) WithPwnedRange(ctx context.Context, mode PwnedMode, prefix uint32, fn func(PwnedRange) error) error {
	if err := mode.check(); err != nil {
		return wrap("pwned range", err)
	}
	if prefix > 0xFFFFF {
		return wrap("pwned range", fmt.Errorf("prefix %#x: %w", prefix, apperr.ErrInvalid))
	}
	return s.ranges.read(ctx, mode, prefix, fn)
}

// PwnedCount is how often the corpus has seen digest, 0 when never: a
// binary search in the range's row, in place.
func (s *Store) PwnedCount(ctx context.Context, mode PwnedMode, digest []byte) (uint64, error) {
	if err := mode.checkDigest(digest); err != nil {
		return 0, wrap("pwned count", err)
	}
	var c uint64
	err := s.WithPwnedRange(ctx, mode, PwnedPrefix(digest), func(r PwnedRange) error {
		c, _ = r.Find(digest[pwnedKeyOffset:])
		return nil
	})
	return c, err
}
