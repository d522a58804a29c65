package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

// digests makes n sorted SHA-256 digests of distinct strings.
func sortedDigests(prefix string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		d := sha256.Sum256([]byte(prefix + string(rune('a'+i%26)) + string(rune(i))))
		out[i] = d[:]
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

func source(kind store.RecordKind, ds [][]byte) store.DigestSource {
	return store.DigestSlice(kind, ds)
}

func TestImportBreachesStoresDigestsInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	emails := sortedDigests("e", 1000)
	// A repeat is stored once.
	withRepeat := append(slices.Clone(emails[:10]), emails[9])
	slices.SortFunc(withRepeat, bytes.Compare)
	ids, err := s.ImportBreaches(ctx, []store.NewBreach{
		{Breach: store.Breach{Name: "One", Date: time.Date(2022, 4, 23, 0, 0, 0, 0, time.UTC), DataClasses: []string{"Email addresses"}},
			Records: []store.DigestSource{source(store.RecordEmail, emails)}},
		{Breach: store.Breach{Name: "Two"}, Records: []store.DigestSource{source(store.RecordEmail, withRepeat)}},
	}, store.ImportOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	one, err := s.BreachByID(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if one.Records != 1000 || one.Title != "One" || one.Date.Format("2006-01-02") != "2022-04-23" ||
		!slices.Equal(one.DataClasses, []string{"Email addresses"}) || !one.AddedAt.Equal(now) {
		t.Fatalf("breach one: %+v", one)
	}
	if n, _ := s.RecordCount(ctx, ids[1]); n != 10 {
		t.Fatalf("breach two holds %d records, want 10", n)
	}
	got, err := s.BreachesWith(ctx, store.RecordEmail, emails[5])
	if err != nil || !slices.Equal(got, ids) {
		t.Fatalf("BreachesWith = %v, %v; want %v", got, err, ids)
	}
	if got, _ := s.BreachesWith(ctx, store.RecordUsername, emails[5]); len(got) != 0 {
		t.Fatalf("a digest of another kind matched: %v", got)
	}

	// The same name again: refused, and nothing of the batch is kept.
	_, err = s.ImportBreaches(ctx, []store.NewBreach{
		{Breach: store.Breach{Name: "Three"}, Records: []store.DigestSource{source(store.RecordEmail, emails)}},
		{Breach: store.Breach{Name: "one"}},
	}, store.ImportOptions{Now: now})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("existing name: %v, want ErrConflict", err)
	}
	if _, err := s.BreachByName(ctx, "Three"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused batch left a breach behind: %v", err)
	}

	// Replace swaps the records in the same transaction.
	_, err = s.ImportBreaches(ctx, []store.NewBreach{
		{Breach: store.Breach{Name: "One"}, Records: []store.DigestSource{source(store.RecordEmail, emails[:3])}},
	}, store.ImportOptions{Now: now, Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	replaced, _ := s.BreachByName(ctx, "one")
	if replaced.ID == one.ID || replaced.Records != 3 {
		t.Fatalf("replaced breach: %+v", replaced)
	}
	if n, _ := s.RecordCount(ctx, one.ID); n != 0 {
		t.Fatalf("the replaced breach's %d records stayed", n)
	}
}

func TestImportBreachesRefusesUnsortedDigests(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ds := sortedDigests("x", 5)
	slices.Reverse(ds)
	_, err := s.ImportBreaches(ctx, []store.NewBreach{
		{Breach: store.Breach{Name: "Bad"}, Records: []store.DigestSource{source(store.RecordEmail, ds)}},
	}, store.ImportOptions{Now: time.Now()})
	if err == nil {
		t.Fatal("unsorted digests were taken")
	}
	if _, err := s.BreachByName(ctx, "Bad"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed import left its breach: %v", err)
	}
}

func TestEditAndDeleteBreach(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	ids, err := s.ImportBreaches(ctx, []store.NewBreach{
		{Breach: store.Breach{Name: "Edit me"}, Records: []store.DigestSource{source(store.RecordEmail, sortedDigests("d", 600))}},
	}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	edit := store.BreachEdit{Title: "Edited", Domain: "example.com", IsVerified: true, Description: "d",
		Date: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), DataClasses: []string{"Usernames", "Passwords"}}
	if err := audit(s).EditBreach(ctx, ids[0], edit, entry(store.EventBreachEdited, later)); err != nil {
		t.Fatal(err)
	}
	b, _ := s.BreachByID(ctx, ids[0])
	if b.Title != "Edited" || b.Domain != "example.com" || !b.IsVerified || !b.ModifiedAt.Equal(later) ||
		!slices.Equal(b.DataClasses, edit.DataClasses) || b.Date.Format("2006-01-02") != "2020-01-02" {
		t.Fatalf("edited: %+v", b)
	}
	if err := audit(s).EditBreach(ctx, 999, edit, entry(store.EventBreachEdited, later)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("edit of a missing breach: %v", err)
	}
	if err := audit(s).DeleteBreach(ctx, ids[0], entry(store.EventBreachDeleted)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.RecordCount(ctx, ids[0]); n != 0 {
		t.Fatalf("%d records outlived their breach", n)
	}
	if err := audit(s).DeleteBreach(ctx, ids[0], entry(store.EventBreachDeleted)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestImportJobLifecycle(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Now()
	id, err := s.CreateImportJob(ctx, store.ImportJob{Origin: "cli", Path: "/data/x.yaml", FileName: "x.yaml",
		FileSize: 100, Fingerprint: "fp", Options: "{}"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if j, err := s.UnfinishedImportJobFor(ctx, "/data/x.yaml", "fp"); err != nil || j.ID != id || j.State != store.JobQueued {
		t.Fatalf("unfinished job: %+v, %v", j, err)
	}
	if err := s.StartImportJob(ctx, id, "yaml", 1, "h", now); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportJobProgress(ctx, id, 50, 7, 1, 0); err != nil {
		t.Fatal(err)
	}
	j, _ := s.ImportJobByID(ctx, id)
	if j.State != store.JobRunning || j.BytesDone != 50 || j.Records != 7 || j.Format != "yaml" {
		t.Fatalf("running job: %+v", j)
	}
	if err := s.FinishImportJob(ctx, id, store.JobFailed, "document 3, line 9: bad", "", -1, now); err != nil {
		t.Fatal(err)
	}
	j, _ = s.ImportJobByID(ctx, id)
	if !j.Finished() || j.Error != "document 3, line 9: bad" || j.Records != 7 {
		t.Fatalf("failed job: %+v", j)
	}
	if _, err := s.UnfinishedImportJobFor(ctx, "/data/x.yaml", "fp"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a finished job was offered for resuming: %v", err)
	}
	if jobs, _ := s.UnfinishedImportJobs(ctx); len(jobs) != 0 {
		t.Fatalf("unfinished jobs: %+v", jobs)
	}
}
