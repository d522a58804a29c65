package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"pcmt/apperr"
)

// PasswordKinds are the record kinds that hold passwords: SHA-1 (from plain
// text or sha1 hashes) and the unsalted hash types a breach file declared.
var PasswordKinds = []RecordKind{RecordSHA1, RecordMD5, RecordSHA256, RecordSHA512, RecordNTLM}

// IsPassword says whether the kind holds password digests.
func (k RecordKind) IsPassword() bool { return k >= RecordSHA1 && k <= RecordNTLM }

// passwordKindNames are the password kinds' names, as breach files spell
// their hash types.
var passwordKindNames = map[RecordKind]string{RecordSHA1: "sha1", RecordMD5: "md5",
	RecordSHA256: "sha256", RecordSHA512: "sha512", RecordNTLM: "ntlm"}

// Name is a password kind's name ("sha1", "md5", …), "" for other kinds.
func (k RecordKind) Name() string { return passwordKindNames[k] }

// ParsePasswordKind is the password kind of a name, false for any other.
func ParsePasswordKind(name string) (RecordKind, bool) {
	for k, n := range passwordKindNames {
		if n == name {
			return k, true
		}
	}
	return 0, false
}

// PwnedMode is the corpus a password kind can be found in, "" for none.
func (k RecordKind) PwnedMode() PwnedMode {
	switch k {
	case RecordSHA1:
		return PwnedSHA1
	case RecordNTLM:
		return PwnedNTLM
	}
	return ""
}

// Digest is a value's digest of one record kind.
type Digest struct {
	Kind RecordKind
	Sum  []byte
}

// PasswordMatch is what the instance's own data say of one password.
type PasswordMatch struct {
	// Seen is its count in the Pwned Passwords corpora (the larger of the
	// SHA-1 and NTLM counts: they count the same sightings).
	Seen uint64
	// Breaches hold one of its digests, the newest breach date first.
	Breaches []Breach
}

// PasswordMatches looks a password up by its digests, one of each password
// kind: in the corpora (SHA-1 and NTLM digests) and in every breach's
// records of the digest's kind.
func (s *Store) PasswordMatches(ctx context.Context, ds []Digest) (PasswordMatch, error) {
	var m PasswordMatch
	seen := map[int64]bool{}
	for _, d := range ds {
		if !d.Kind.IsPassword() || len(d.Sum) != d.Kind.Size() {
			return m, wrap("password matches", fmt.Errorf("a %d-byte digest of kind %d: %w", len(d.Sum), d.Kind, apperr.ErrInvalid))
		}
		if mode := d.Kind.PwnedMode(); mode != "" {
			n, err := s.PwnedCount(ctx, mode, d.Sum)
			if err != nil {
				return m, err
			}
			m.Seen = max(m.Seen, n)
		}
		bs, err := s.BreachesHolding(ctx, d.Kind, d.Sum)
		if err != nil {
			return m, err
		}
		for _, b := range bs {
			if !seen[b.ID] {
				seen[b.ID] = true
				m.Breaches = append(m.Breaches, b)
			}
		}
	}
	slices.SortFunc(m.Breaches, newestFirst)
	return m, nil
}

// newestFirst orders breaches as a search lists them: the newest breach
// date first, then the newest import.
func newestFirst(a, b Breach) int {
	if c := b.Date.Compare(a.Date); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// PasswordRecord is one password digest a breach holds.
type PasswordRecord struct {
	Breach int64
	Digest []byte
}

// PasswordRecords lists the password records of kind whose digest starts
// with prefix, 0 to 5 hex digits: the breach side of a k-anonymous password
// check, where the searcher sends a hash prefix and compares the rest
// itself. Ordered by digest, then breach.
func (s *Store) PasswordRecords(ctx context.Context, kind RecordKind, prefix string) ([]PasswordRecord, error) {
	if !kind.IsPassword() {
		return nil, wrap("password records", fmt.Errorf("kind %d holds no passwords: %w", kind, apperr.ErrInvalid))
	}
	lo, hi, err := prefixBounds(prefix)
	if err != nil {
		return nil, wrap("password records", err)
	}
	// Each breach's records of a kind are one stretch of the primary key,
	// so this is one seek per breach, whatever the table's size.
	query := `SELECT r.breach_id, r.digest FROM breaches b JOIN breach_records r
		ON r.breach_id = b.id AND r.kind = ? AND r.digest >= ?`
	args := []any{int(kind), lo}
	if hi != nil {
		query += ` AND r.digest < ?`
		args = append(args, hi)
	}
	return list(ctx, s.r, "password records", func(row rowScanner) (r PasswordRecord, err error) {
		err = row.Scan(&r.Breach, &r.Digest)
		return r, err
	}, query+` ORDER BY r.digest, r.breach_id`, args...)
}

// prefixBounds turns up to 5 hex digits into the digests [lo, hi) starting
// with them; hi is nil when every digest from lo on does (no prefix, or one
// of only Fs).
func prefixBounds(prefix string) (lo, hi []byte, err error) {
	if len(prefix) > 5 {
		return nil, nil, fmt.Errorf("prefix of %d hex digits, at most 5: %w", len(prefix), apperr.ErrInvalid)
	}
	padded := strings.ToUpper(prefix) + strings.Repeat("0", 6-len(prefix))
	b, err := hex.DecodeString(padded)
	if err != nil {
		return nil, nil, fmt.Errorf("prefix %q is not hex: %w", prefix, apperr.ErrInvalid)
	}
	lo = b
	if prefix == "" {
		return lo, nil, nil
	}
	// hi: the prefix plus one in its last digit, carried leftwards.
	v := uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	step := uint32(1) << (4 * (6 - len(prefix)))
	if v+step > 0xFFFFFF {
		return lo, nil, nil
	}
	v += step
	return lo, []byte{byte(v >> 16), byte(v >> 8), byte(v)}, nil
}

// PasswordKindCounts says how many digests of each password kind the
// breaches hold together (a digest in two breaches counts twice). It reads
// every such record: callers keep the answer while BreachesVersion stays.
func (s *Store) PasswordKindCounts(ctx context.Context) (map[RecordKind]int64, error) {
	out := map[RecordKind]int64{}
	err := each(ctx, s.r, "count password records", func(rows *sql.Rows) error {
		var kind int
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return err
		}
		if n > 0 {
			out[RecordKind(kind)] += n
		}
		return nil
	}, `SELECT k.kind, (SELECT count(*) FROM breach_records r
		WHERE r.breach_id = b.id AND r.kind = k.kind)
		FROM breaches b, (SELECT 3 AS kind UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7) k`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BreachesVersion changes whenever a breach is added, replaced or deleted:
// what answers derived from all records are kept by.
func (s *Store) BreachesVersion(ctx context.Context) (string, error) {
	var n, maxID int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*), coalesce(max(id), 0) FROM breaches`).Scan(&n, &maxID)
	return fmt.Sprintf("%d/%d", n, maxID), wrap("breaches version", err)
}

// PwnedHasAny says whether the corpus of mode holds any range.
func (s *Store) PwnedHasAny(ctx context.Context, mode PwnedMode) (bool, error) {
	var any bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pwned_ranges WHERE mode = ? AND n > 0)`,
		string(mode)).Scan(&any)
	return any, wrap("pwned any", err)
}
