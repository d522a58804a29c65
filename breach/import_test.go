package breach_test

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pcmt/apperr"
	"pcmt/breach"
	"pcmt/store"
	"pcmt/store/storetest"
)

func newImporter(t *testing.T) (*breach.Importer, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	return &breach.Importer{Store: s, TempDir: t.TempDir(), MaxSize: 1 << 30}, s
}

// importFile runs one command-line import of path.
func importFile(t *testing.T, im *breach.Importer, path string, o breach.Options) (breach.Summary, error) {
	t.Helper()
	ctx := context.Background()
	job, err := im.NewJob(ctx, path, filepath.Base(path), "cli", 0, o)
	if err != nil {
		return breach.Summary{}, err
	}
	return im.Run(ctx, job, nil)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func has(t *testing.T, s *store.Store, kind store.RecordKind, digest []byte) []int64 {
	t.Helper()
	ids, err := s.BreachesWith(context.Background(), kind, digest)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSpecExampleImports(t *testing.T) {
	im, s := newImporter(t)
	sum, err := importFile(t, im, "testdata/spec-example.yaml", breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Breaches, []string{"Horrible breach"}) || sum.Skipped != 1 {
		t.Fatalf("summary: %+v", sum)
	}
	b, err := s.BreachByName(context.Background(), "Horrible breach")
	if err != nil {
		t.Fatal(err)
	}
	// "hash1" is not an MD5: counted as a hash and as invalid, not stored.
	if b.Emails != 2 || b.Hashes != 2 || b.Invalid != 2 || b.Skipped != 1 || b.Records != 2 ||
		b.Date.Format("2006-01-02") != "2022-04-23" || b.HashType != "md5" || b.Description != "optional free text" {
		t.Fatalf("breach: %+v", b)
	}
	if !slices.Equal(b.DataClasses, []string{"Email addresses", "Passwords"}) {
		t.Fatalf("data classes: %v", b.DataClasses)
	}
	d := breach.EmailDigest([]byte(" EMAIL3 "))
	if ids := has(t, s, store.RecordEmail, d[:]); !slices.Equal(ids, []int64{b.ID}) {
		t.Fatalf("email3 found in %v", ids)
	}
}

func TestThesisExampleImports(t *testing.T) {
	im, s := newImporter(t)
	sum, err := importFile(t, im, "testdata/thesis-example.yaml", breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Breaches, []string{"Horrible breach", "Horrible breach 2"}) {
		t.Fatalf("summary: %+v", sum)
	}
	b, _ := s.BreachByName(context.Background(), "Horrible breach")
	if b.Emails != 2 || b.Skipped != 1 || b.Hashes != 3 || b.Records != 2 {
		t.Fatalf("first breach: %+v", b)
	}
	// 2022-04-23T00:00:00+02:00 is the 22nd in UTC.
	if b.Date.IsZero() {
		t.Fatal("the thesis's date was lost")
	}
	if b2, err := s.BreachByName(context.Background(), "Horrible breach 2"); err != nil || b2.Records != 0 {
		t.Fatalf("second breach: %+v, %v", b2, err)
	}
}

// The documented rule: a file is imported whole or not at all. A broken
// document names itself and its line, and the documents before it are not
// kept either, so fixing the file and running the same command again never
// meets half of it already imported.
func TestBrokenThirdDocumentKeepsNothing(t *testing.T) {
	im, s := newImporter(t)
	_, err := importFile(t, im, "testdata/broken-third.yaml", breach.Options{})
	var pe *breach.ParseError
	if !errors.As(err, &pe) || pe.Document != 3 || pe.Line != 13 {
		t.Fatalf("error %v, want document 3, line 13", err)
	}
	if !strings.Contains(err.Error(), "document 3, line 13") || !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("error text: %v", err)
	}
	bs, _ := s.Breaches(context.Background())
	if len(bs) != 0 {
		t.Fatalf("a broken file left %d breaches", len(bs))
	}
	jobs, _ := s.ImportJobs(context.Background(), 10)
	if len(jobs) != 1 || jobs[0].State != store.JobFailed || !strings.Contains(jobs[0].Error, "document 3, line 13") {
		t.Fatalf("job: %+v", jobs)
	}
}

func TestExistingNameNeedsReplace(t *testing.T) {
	im, s := newImporter(t)
	if _, err := importFile(t, im, "testdata/spec-example.yaml", breach.Options{}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.BreachByName(context.Background(), "Horrible breach")
	_, err := importFile(t, im, "testdata/spec-example.yaml", breach.Options{})
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("second import: %v", err)
	}
	if _, err := importFile(t, im, "testdata/spec-example.yaml", breach.Options{Replace: true}); err != nil {
		t.Fatal(err)
	}
	again, _ := s.BreachByName(context.Background(), "Horrible breach")
	if again.ID == first.ID || again.Records != first.Records {
		t.Fatalf("replaced: %+v, was %+v", again, first)
	}
	if bs, _ := s.Breaches(context.Background()); len(bs) != 1 {
		t.Fatalf("%d breaches after replace", len(bs))
	}
}

func TestLineListsStoreDigestsOnly(t *testing.T) {
	im, s := newImporter(t)
	ctx := context.Background()
	path := writeFile(t, "site-2024.txt", "\ufeffAlice@Example.com\r\n\r\nbob@example.org\r\n  carol@example.net  \r\n")
	sum, err := importFile(t, im, path, breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 3 || sum.Skipped != 1 {
		t.Fatalf("summary: %+v", sum)
	}
	b, err := s.BreachByName(ctx, "site-2024")
	if err != nil || b.Emails != 3 || !b.ContainsEmails {
		t.Fatalf("breach: %+v, %v", b, err)
	}
	d := breach.EmailDigest([]byte("alice@example.com"))
	if ids := has(t, s, store.RecordEmail, d[:]); len(ids) != 1 {
		t.Fatal("alice not found by her normalised address")
	}

	pw := writeFile(t, "pw.txt", "hunter2\ncorrect horse\n")
	if _, err := importFile(t, im, pw, breach.Options{}); err == nil || !strings.Contains(err.Error(), "--kind") {
		t.Fatalf("an unclear list was imported without a kind: %v", err)
	}
	if _, err := importFile(t, im, pw, breach.Options{Kind: breach.Passwords, Name: "Passwords list", Date: "2024-02-29"}); err != nil {
		t.Fatal(err)
	}
	sha := breach.PasswordDigest([]byte("hunter2"))
	if ids := has(t, s, store.RecordSHA1, sha[:]); len(ids) != 1 {
		t.Fatal("hunter2's SHA-1 not found")
	}
	// Nothing of the plain text is in the database file.
	for _, f := range []string{s.Path(), s.Path() + "-wal"} {
		raw, _ := os.ReadFile(f)
		for _, plain := range []string{"hunter2", "correct horse", "alice@example.com", "Alice@Example.com", "bob@example.org"} {
			if strings.Contains(string(raw), plain) {
				t.Fatalf("%s holds %q in plain text", f, plain)
			}
		}
	}
}

func TestUnsaltedHashesAreSearchableSaltedOnlyCounted(t *testing.T) {
	im, s := newImporter(t)
	md := md5.Sum([]byte("secret"))
	yaml := fmt.Sprintf("name: Unsalted\nhashType: MD5\ncontainsHashes: true\ndata:\n  hashes:\n    - %x\n    - %X\n---\nname: Salted\nhashType: md5\nhashSalted: true\ndata:\n  hashes:\n    - %x\n", md, md, md)
	if _, err := importFile(t, im, writeFile(t, "h.yaml", yaml), breach.Options{}); err != nil {
		t.Fatal(err)
	}
	ids := has(t, s, store.RecordMD5, md[:])
	un, _ := s.BreachByName(context.Background(), "Unsalted")
	salted, _ := s.BreachByName(context.Background(), "Salted")
	if !slices.Equal(ids, []int64{un.ID}) || un.Records != 1 || salted.Hashes != 1 || salted.Records != 0 {
		t.Fatalf("found in %v; unsalted %+v; salted %+v", ids, un, salted)
	}
}

func TestFilesOverTheLimitAreRefusedUpFront(t *testing.T) {
	im, s := newImporter(t)
	im.MaxSize = 10
	_, err := importFile(t, im, writeFile(t, "big.txt", "a@example.com\nb@example.com\n"), breach.Options{})
	if !errors.Is(err, breach.ErrTooLarge) || !strings.Contains(err.Error(), "Import.MaxSize") {
		t.Fatalf("oversized file: %v", err)
	}
	if jobs, _ := s.ImportJobs(context.Background(), 10); len(jobs) != 0 {
		t.Fatalf("a refused file made a job: %+v", jobs)
	}
}
