package breach_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pcmt/breach"
	"pcmt/store"
)

type hashCount struct {
	d []byte
	c uint64
}

// corpus makes n SHA-1 hashes over a few hundred ranges, sorted, and its
// dump text (upper-case hex, CRLF).
func corpus(seed uint64, n int) ([]hashCount, string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var hs []hashCount
	for i := range n {
		d := sha1.Sum(fmt.Appendf(nil, "%d-%d", seed, i))
		d[0], d[1] = byte(rng.IntN(4)), byte(rng.IntN(64)) // crowd them into few ranges
		hs = append(hs, hashCount{d[:], uint64(1 + rng.IntN(100))})
	}
	slices.SortFunc(hs, func(a, b hashCount) int { return bytes.Compare(a.d, b.d) })
	return hs, dump(hs)
}

func dump(hs []hashCount) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%s:%d\r\n", strings.ToUpper(hex.EncodeToString(h.d)), h.c)
	}
	return b.String()
}

// checkCorpus asserts the store holds exactly hs, each count once.
func checkCorpus(t *testing.T, s *store.Store, hs []hashCount) {
	t.Helper()
	ctx := context.Background()
	st, err := s.PwnedStats(ctx, store.PwnedSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Hashes != int64(len(hs)) {
		t.Fatalf("%d hashes stored, want %d", st.Hashes, len(hs))
	}
	for _, h := range hs {
		c, err := s.PwnedCount(ctx, store.PwnedSHA1, h.d)
		if err != nil || c != h.c {
			t.Fatalf("%X: count %d (%v), want %d", h.d, c, err, h.c)
		}
	}
}

func TestSortedCorpusImports(t *testing.T) {
	im, s := newImporter(t)
	hs, text := corpus(1, 3000)
	sum, err := importFile(t, im, writeFile(t, "pwned.txt", text), breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Corpus != store.PwnedSHA1 || sum.Records != 3000 || sum.Format != breach.FormatPwned {
		t.Fatalf("summary: %+v", sum)
	}
	checkCorpus(t, s, hs)

	// A second corpus needs --replace; with it the first one goes.
	hs2, text2 := corpus(2, 500)
	if _, err := importFile(t, im, writeFile(t, "again.txt", text2), breach.Options{}); err == nil || !strings.Contains(err.Error(), "replace") {
		t.Fatalf("second corpus without replace: %v", err)
	}
	if _, err := importFile(t, im, writeFile(t, "again.txt", text2), breach.Options{Replace: true}); err != nil {
		t.Fatal(err)
	}
	checkCorpus(t, s, hs2)
}

func TestUnsortedCorpusStartsOverThroughTheSorter(t *testing.T) {
	im, s := newImporter(t)
	im.PwnedBatch = 4 // commit early, so that starting over has something to undo
	hs, _ := corpus(3, 4000)
	shuffled := slices.Clone(hs)
	// Sorted for most of the file, then out of order.
	tail := shuffled[3000:]
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(tail), func(i, j int) { tail[i], tail[j] = tail[j], tail[i] })
	if _, err := importFile(t, im, writeFile(t, "mixed.txt", dump(shuffled)), breach.Options{}); err != nil {
		t.Fatal(err)
	}
	checkCorpus(t, s, hs)
}

// What a crash leaves behind — a job in the sorted phase whose checkpoint
// says where its last commit ended, with the ranges before it stored — is
// resumed by running the job again, and ends with one import's worth.
func TestInterruptedCorpusResumesWithoutDuplicatesOrGaps(t *testing.T) {
	im, s := newImporter(t)
	ctx := context.Background()
	hs, text := corpus(4, 3000)
	path := writeFile(t, "pwned.txt", text)
	job, err := im.NewJob(ctx, path, "pwned.txt", "cli", 0, breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartImportJob(ctx, job.ID, "pwned", 0, "", job.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginPwnedImport(ctx, job.ID, store.PwnedSHA1, "sorted", false); err != nil {
		t.Fatal(err)
	}
	w, _ := s.NewPwnedWriter(store.PwnedSHA1)
	w.Batch = 3
	w.Checkpoint(job.ID)
	var offset int64
	for i, h := range hs[:1700] {
		w.Mark(store.Position{Offset: offset, Line: int64(i)})
		offset += int64(len(dump(hs[i : i+1])))
		if err := w.Add(ctx, h.d, h.c); err != nil {
			t.Fatal(err)
		}
	}
	// The process dies here: the open batch is lost, the committed stay.
	job, _ = s.ImportJobByID(ctx, job.ID)
	if job.CkPrefix < 0 || job.Records == 0 || job.Records >= 1700 {
		t.Fatalf("the simulated crash committed nothing useful: %+v", job)
	}
	again, err := im.NewJob(ctx, path, "pwned.txt", "cli", 0, breach.Options{})
	if err != nil || again.ID != job.ID {
		t.Fatalf("re-run found job %d (%v), want the interrupted %d", again.ID, err, job.ID)
	}
	sum, err := im.Run(ctx, again, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != int64(len(hs)) {
		t.Fatalf("summary says %d records, want %d", sum.Records, len(hs))
	}
	checkCorpus(t, s, hs)
}

func TestCorpusErrorsNameTheLine(t *testing.T) {
	im, s := newImporter(t)
	_, text := corpus(5, 10)
	lines := strings.SplitAfter(text, "\r\n")
	lines[6] = "NOTAHASH:3\r\n"
	_, err := importFile(t, im, writeFile(t, "bad.txt", strings.Join(lines, "")), breach.Options{Format: breach.FormatPwned})
	if err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Fatalf("error %v, want one naming line 7", err)
	}
	if jobs, _ := s.ImportJobs(context.Background(), 1); jobs[0].State != store.JobFailed {
		t.Fatalf("job after a bad line: %+v", jobs[0])
	}
}

func TestNTLMCorpusImportsIntoItsOwnMode(t *testing.T) {
	im, s := newImporter(t)
	ctx := context.Background()
	text := "00000A1B2C3D4E5F60718293A4B5C6D7:12\n00000a1b2c3d4e5f60718293a4b5c6d8:1\nFFFFF000000000000000000000000000:7"
	sum, err := importFile(t, im, writeFile(t, "ntlm.txt", text), breach.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Corpus != store.PwnedNTLM || sum.Records != 3 {
		t.Fatalf("summary: %+v", sum)
	}
	d, _ := hex.DecodeString("00000A1B2C3D4E5F60718293A4B5C6D7")
	if c, err := s.PwnedCount(ctx, store.PwnedNTLM, d); err != nil || c != 12 {
		t.Fatalf("count %d, %v", c, err)
	}
	if st, _ := s.PwnedStats(ctx, store.PwnedSHA1); st.Hashes != 0 {
		t.Fatalf("NTLM hashes landed in the SHA-1 corpus: %+v", st)
	}
}
