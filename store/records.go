package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"pcmt/apperr"
)

// RecordKind says which digest a breach record holds. Plain text never
// reaches the table: e-mail addresses and usernames are kept as the SHA-256
// of their normalised form, passwords as their SHA-1 (what the Pwned
// Passwords range API speaks), and unsalted hashes found in a file as the
// hash itself.
type RecordKind uint8

// The record kinds; the numbers are stored.
const (
	RecordEmail    RecordKind = 1 // SHA-256 of the normalised address
	RecordUsername RecordKind = 2 // SHA-256 of the normalised username
	RecordSHA1     RecordKind = 3 // SHA-1 of a password, from plain text or an unsalted sha1 hash
	RecordMD5      RecordKind = 4
	RecordSHA256   RecordKind = 5 // an unsalted sha256 password hash
	RecordSHA512   RecordKind = 6
	RecordNTLM     RecordKind = 7
)

// Size is the digest length of the kind in bytes, 0 for an unknown kind.
func (k RecordKind) Size() int {
	switch k {
	case RecordEmail, RecordUsername, RecordSHA256:
		return 32
	case RecordSHA1:
		return 20
	case RecordMD5, RecordNTLM:
		return 16
	case RecordSHA512:
		return 64
	}
	return 0
}

// DigestSource yields one kind's digests in ascending order; Next returns
// io.EOF after the last. Repeated digests are stored once.
type DigestSource struct {
	Kind RecordKind
	Next func() ([]byte, error)
}

// NewBreach is one breach to import: its metadata (ID, AddedAt, ModifiedAt
// and Records are set by the import) and its records.
type NewBreach struct {
	Breach  Breach
	Records []DigestSource
}

// ImportOptions tune ImportBreaches.
type ImportOptions struct {
	// Replace deletes a breach of the same name, records and all, in the
	// same transaction; without it an existing name is ErrConflict.
	Replace bool
	Now     time.Time
	// Progress, when set, is called now and then with the records stored
	// so far.
	Progress func(records int64)
	// Job, when not zero, is the import job marked done with Summary in the
	// same transaction, so a job is done exactly when its breaches exist.
	Job     int64
	Summary string
}

// recordsPerInsert bounds one multi-row INSERT; the breach and kind are
// bound once per statement.
const recordsPerInsert = 256

// ImportBreaches stores breaches and all their records in one transaction:
// after a failure or a crash none of them exists. It returns their ids.
func (s *Store) ImportBreaches(ctx context.Context, bs []NewBreach, o ImportOptions) ([]int64, error) {
	ids := make([]int64, 0, len(bs))
	var stored int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		insert, err := tx.PrepareContext(ctx, insertRecordsSQL(recordsPerInsert))
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, nb := range bs {
			id, err := insertBreach(ctx, tx, nb.Breach, o)
			if err != nil {
				return err
			}
			var n int64
			for _, src := range nb.Records {
				m, err := insertRecords(ctx, tx, insert, id, src, func(k int64) {
					if o.Progress != nil {
						o.Progress(stored + n + k)
					}
				})
				if err != nil {
					return fmt.Errorf("breach %q: %w", nb.Breach.Name, err)
				}
				n += m
			}
			if _, err := tx.ExecContext(ctx, `UPDATE breaches SET n_records = ? WHERE id = ?`, n, id); err != nil {
				return err
			}
			stored += n
			ids = append(ids, id)
		}
		if o.Job != 0 {
			return finishJob(ctx, tx, o.Job, JobDone, "", o.Summary, stored, o.Now)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("import breaches", err)
	}
	return ids, nil
}

func insertBreach(ctx context.Context, tx *sql.Tx, b Breach, o ImportOptions) (int64, error) {
	if o.Replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM breaches WHERE name = ?`, b.Name); err != nil {
			return 0, err
		}
	}
	title := b.Title
	if title == "" {
		title = b.Name
	}
	now := formatTime(o.Now)
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO breaches (name, title, domain, breach_date, added_at, modified_at,
		is_verified, contains_passwords, contains_hashes, contains_emails, contains_usernames,
		hash_type, hash_salted, hash_peppered, description, data_classes,
		n_emails, n_usernames, n_passwords, n_hashes, n_skipped, n_invalid, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		b.Name, title, b.Domain, formatDate(b.Date), now, now,
		b.IsVerified, b.ContainsPasswords, b.ContainsHashes, b.ContainsEmails, b.ContainsUsernames,
		b.HashType, b.HashSalted, b.HashPeppered, b.Description, classesJSON(b.DataClasses),
		b.Emails, b.Usernames, b.Passwords, b.Hashes, b.Skipped, b.Invalid, b.Source).Scan(&id)
	if err != nil {
		if errors.Is(wrap("", err), ErrConflict) {
			return 0, fmt.Errorf("a breach named %q exists (replace it to import again): %w", b.Name, ErrConflict)
		}
		return 0, err
	}
	return id, nil
}

// insertRecordsSQL is a multi-row INSERT of n digests of one breach and kind.
func insertRecordsSQL(n int) string {
	var q strings.Builder
	q.WriteString(`INSERT INTO breach_records (breach_id, kind, digest) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "(?1, ?2, ?%d)", i+3)
	}
	return q.String()
}

// insertRecords stores one source's digests, skipping repeats, and returns
// how many it stored.
func insertRecords(ctx context.Context, tx *sql.Tx, full *sql.Stmt, breach int64, src DigestSource, progress func(int64)) (int64, error) {
	size := src.Kind.Size()
	if size == 0 {
		return 0, fmt.Errorf("record kind %d: %w", src.Kind, apperr.ErrInvalid)
	}
	buf := make([]byte, 0, recordsPerInsert*size)
	args := make([]any, 2, recordsPerInsert+2)
	args[0], args[1] = breach, int(src.Kind)
	var n int64
	flush := func() error {
		if len(args) == 2 {
			return nil
		}
		var err error
		if len(args) == recordsPerInsert+2 {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertRecordsSQL(len(args)-2), args...)
		}
		n += int64(len(args) - 2)
		args, buf = args[:2], buf[:0]
		if progress != nil {
			progress(n)
		}
		return err
	}
	var last []byte
	for {
		d, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if len(d) != size {
			return n, fmt.Errorf("%d-byte digest for record kind %d: %w", len(d), src.Kind, apperr.ErrInvalid)
		}
		if last != nil {
			switch c := bytes.Compare(d, last); {
			case c == 0:
				continue
			case c < 0:
				return n, fmt.Errorf("record digests not in order: %w", apperr.ErrInvalid)
			}
		}
		buf = append(buf, d...)
		last = buf[len(buf)-size:]
		args = append(args, last)
		if len(args) == recordsPerInsert+2 {
			if err := flush(); err != nil {
				return n, err
			}
			// The slices bound above live in buf until the statement ran.
			last = append([]byte(nil), d...)
		}
	}
	return n, flush()
}

// BreachesWith returns the ids of the breaches holding a digest of kind,
// in id order.
func (s *Store) BreachesWith(ctx context.Context, kind RecordKind, digest []byte) ([]int64, error) {
	bs, err := s.BreachesHolding(ctx, kind, digest)
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	slices.Sort(ids)
	return ids, err
}

// RecordCount counts the digests stored for a breach, by reading them: a
// check on n_records, for tests and audits.
func (s *Store) RecordCount(ctx context.Context, breach int64) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM breach_records WHERE breach_id = ?`, breach).Scan(&n)
	return n, wrap("count records", err)
}

// PasswordSeen reports whether a password, by its digests (one of each
// password kind), is in a Pwned Passwords corpus or in any breach.
func (s *Store) PasswordSeen(ctx context.Context, ds []Digest) (bool, error) {
	m, err := s.PasswordMatches(ctx, ds)
	return m.Seen > 0 || len(m.Breaches) > 0, err
}

// BreachesHolding returns the breaches holding a digest of kind, the
// newest breach date first: what a search shows.
func (s *Store) BreachesHolding(ctx context.Context, kind RecordKind, digest []byte) ([]Breach, error) {
	// A kept statement: parsing this query cost more than running it.
	stmt, err := s.prepared(ctx, &s.holdingStmt, `SELECT `+breachColumns+` FROM breaches b WHERE EXISTS
		(SELECT 1 FROM breach_records r WHERE r.breach_id = b.id AND r.kind = ? AND r.digest = ?)
		ORDER BY b.breach_date DESC, b.id DESC`)
	if err != nil {
		return nil, wrap("search breaches", err)
	}
	rows, err := stmt.QueryContext(ctx, int(kind), digest)
	if err != nil {
		return nil, wrap("search breaches", err)
	}
	defer rows.Close()
	var out []Breach
	for rows.Next() {
		b, err := scanBreach(rows)
		if err != nil {
			return nil, wrap("search breaches", err)
		}
		out = append(out, b)
	}
	return out, wrap("search breaches", rows.Err())
}

// DigestSlice is a DigestSource over digests already sorted.
func DigestSlice(kind RecordKind, sorted [][]byte) DigestSource {
	i := 0
	return DigestSource{Kind: kind, Next: func() ([]byte, error) {
		if i == len(sorted) {
			return nil, io.EOF
		}
		i++
		return sorted[i-1], nil
	}}
}
