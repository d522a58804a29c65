package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Breach is one breach's metadata and counts; never its records.
type Breach struct {
	ID     int64
	Name   string // unique, case-insensitively
	Title  string
	Domain string
	// Date is when the breach happened (a date; zero when unknown).
	Date       time.Time
	AddedAt    time.Time
	ModifiedAt time.Time

	IsVerified        bool
	ContainsPasswords bool
	ContainsHashes    bool
	ContainsEmails    bool
	ContainsUsernames bool
	HashType          string
	HashSalted        bool
	HashPeppered      bool
	Description       string
	DataClasses       []string

	// Entries read by kind, entries passed over (null or empty) and entries
	// refused (e.g. a hash that is not hex); Records is the distinct digests
	// stored.
	Emails, Usernames, Passwords, Hashes int64
	Skipped, Invalid, Records            int64
	Source                               string
}

// Searchable says whether the breach's hashes can be matched: salted or
// peppered hashes are only counted.
func (b Breach) Searchable() bool { return !b.HashSalted && !b.HashPeppered }

// BreachEdit is what an admin may change after an import.
type BreachEdit struct {
	Title       string
	Domain      string
	Date        time.Time
	IsVerified  bool
	Description string
	DataClasses []string
}

const breachColumns = `id, name, title, domain, breach_date, added_at, modified_at,
	is_verified, contains_passwords, contains_hashes, contains_emails, contains_usernames,
	hash_type, hash_salted, hash_peppered, description, data_classes,
	n_emails, n_usernames, n_passwords, n_hashes, n_skipped, n_invalid, n_records, source`

const dateLayout = "2006-01-02"

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

func scanBreach(row interface{ Scan(...any) error }) (Breach, error) {
	var b Breach
	var date, added, modified, classes string
	err := row.Scan(&b.ID, &b.Name, &b.Title, &b.Domain, &date, &added, &modified,
		&b.IsVerified, &b.ContainsPasswords, &b.ContainsHashes, &b.ContainsEmails, &b.ContainsUsernames,
		&b.HashType, &b.HashSalted, &b.HashPeppered, &b.Description, &classes,
		&b.Emails, &b.Usernames, &b.Passwords, &b.Hashes, &b.Skipped, &b.Invalid, &b.Records, &b.Source)
	if err != nil {
		return b, err
	}
	if date != "" {
		b.Date, _ = time.Parse(dateLayout, date)
	}
	b.AddedAt, b.ModifiedAt = parseTime(added), parseTime(modified)
	if err := json.Unmarshal([]byte(classes), &b.DataClasses); err != nil {
		return b, fmt.Errorf("breach %d data classes: %w", b.ID, err)
	}
	return b, nil
}

func classesJSON(classes []string) string {
	if classes == nil {
		classes = []string{}
	}
	out, _ := json.Marshal(classes) // a []string always marshals
	return string(out)
}

// Breaches lists every breach, the most recently added first.
func (s *Store) Breaches(ctx context.Context) ([]Breach, error) {
	return list(ctx, s.r, "list breaches", scanBreach, `SELECT `+breachColumns+` FROM breaches ORDER BY added_at DESC, id DESC`)
}

// BreachCount is how many breaches the instance knows.
func (s *Store) BreachCount(ctx context.Context) (int, error) {
	stmt, err := s.prepared(ctx, &s.breachCountStmt, `SELECT count(*) FROM breaches`)
	if err != nil {
		return 0, wrap("count breaches", err)
	}
	var n int
	return n, wrap("count breaches", stmt.QueryRowContext(ctx).Scan(&n))
}

// BreachByID returns one breach or ErrNotFound.
func (s *Store) BreachByID(ctx context.Context, id int64) (Breach, error) {
	b, err := scanBreach(s.r.QueryRowContext(ctx, `SELECT `+breachColumns+` FROM breaches WHERE id = ?`, id))
	return b, wrap("get breach", err)
}

// BreachByName returns one breach by its name, case-insensitively, or
// ErrNotFound.
func (s *Store) BreachByName(ctx context.Context, name string) (Breach, error) {
	b, err := scanBreach(s.r.QueryRowContext(ctx, `SELECT `+breachColumns+` FROM breaches WHERE name = ?`, name))
	return b, wrap("get breach by name", err)
}

func editBreach(ctx context.Context, tx *sql.Tx, id int64, e BreachEdit, now time.Time) error {
	return updateOne(ctx, tx, `UPDATE breaches SET title = ?, domain = ?, breach_date = ?,
		is_verified = ?, description = ?, data_classes = ?, modified_at = ? WHERE id = ?`,
		e.Title, e.Domain, formatDate(e.Date), e.IsVerified, e.Description, classesJSON(e.DataClasses),
		formatTime(now), id)
}

func deleteBreach(ctx context.Context, tx *sql.Tx, id int64) error {
	return updateOne(ctx, tx, `DELETE FROM breaches WHERE id = ?`, id)
}
