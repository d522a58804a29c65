package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// childArgsEnv carries a command line for the test binary to run as pcmt
// itself: the kill -9 tests need a real process to kill.
const childArgsEnv = "PCMT_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		io := IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv}
		if space, err := strconv.ParseUint(os.Getenv(childSyncSpaceEnv), 10, 32); err == nil {
			io.syncSpace = uint32(space)
		}
		err := Run(context.Background(), args, io)
		os.Exit(ExitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// pcmtChild starts the test binary as `pcmt args...`.
func pcmtChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(raw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// killWhen kills the child with SIGKILL once ready says so, polling the
// database read-only; it fails when the child ends first.
func killWhen(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, db string, ready func(store.ImportJob) bool) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed; output:\n%s", err, out)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the import never reached the point to kill it")
		case <-time.After(20 * time.Millisecond):
		}
		if j, ok := lastJob(db); ok && ready(j) {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-exited
			return
		}
	}
}

func lastJob(db string) (store.ImportJob, bool) {
	if _, err := os.Stat(db); err != nil {
		return store.ImportJob{}, false
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		return store.ImportJob{}, false
	}
	defer st.Close()
	jobs, err := st.ImportJobs(context.Background(), 1)
	if err != nil || len(jobs) == 0 {
		return store.ImportJob{}, false
	}
	return jobs[0], true
}

// sortedCorpus writes n sorted SHA-1 lines, about perRange a range, and
// returns every 97th hash with its count for spot checks.
func sortedCorpus(t *testing.T, path string, n, perRange int) map[string]uint64 {
	t.Helper()
	ds := make([][20]byte, n)
	for i := range ds {
		ds[i] = sha1.Sum(binary.BigEndian.AppendUint64(nil, uint64(i)))
		// Crowd the hashes into n/perRange ranges.
		p := uint32(i%(n/perRange)) * 97 % (1 << 20)
		ds[i][0], ds[i][1], ds[i][2] = byte(p>>12), byte(p>>4), byte(p<<4)|ds[i][2]&0x0F
	}
	slices.SortFunc(ds, func(a, b [20]byte) int { return bytes.Compare(a[:], b[:]) })
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	sample := map[string]uint64{}
	for i, d := range ds {
		c := uint64(i%50 + 1)
		fmt.Fprintf(w, "%s:%d\r\n", strings.ToUpper(hex.EncodeToString(d[:])), c)
		if i%97 == 0 {
			sample[string(d[:])] = c
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return sample
}

func TestKilledCorpusImportResumesExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real import process")
	}
	dir := t.TempDir()
	db, corpus := filepath.Join(dir, "pcmt.db"), filepath.Join(dir, "pwned.txt")
	const n = 600_000
	sample := sortedCorpus(t, corpus, n, 300)
	args := []string{"import", "--database", db, corpus}

	cmd, out := pcmtChild(t, args...)
	// Kill once at least one batch is committed and more is to come.
	killWhen(t, cmd, out, db, func(j store.ImportJob) bool { return j.CkPrefix >= 0 && j.Records < n })
	j, _ := lastJob(db)
	if j.State != store.JobRunning || j.Records == 0 {
		t.Fatalf("after kill -9 the job is %+v", j)
	}

	cmd, out = pcmtChild(t, args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "resuming") || !strings.Contains(out.String(), fmt.Sprintf("%d records", n)) {
		t.Fatalf("re-run output:\n%s", out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, _ := st.PwnedStats(context.Background(), store.PwnedSHA1)
	if stats.Hashes != n {
		t.Fatalf("%d hashes stored, want %d", stats.Hashes, n)
	}
	// A range imported twice would have doubled counts; one skipped would
	// be missing. Every 97th hash is checked, so every range is.
	for d, c := range sample {
		got, err := st.PwnedCount(context.Background(), store.PwnedSHA1, []byte(d))
		if err != nil || got != c {
			t.Fatalf("%X: count %d (%v), want %d", d, got, err, c)
		}
	}
}

func TestKilledBreachImportLeavesNothingAndReRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real import process")
	}
	dir := t.TempDir()
	db, list := filepath.Join(dir, "pcmt.db"), filepath.Join(dir, "emails.txt")
	const n = 1_000_000
	f, err := os.Create(list)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, "user%d@example.com\n", i)
	}
	w.Flush()
	f.Close()
	args := []string{"import", "--database", db, "--kind", "emails", "--name", "Big list", list}

	cmd, out := pcmtChild(t, args...)
	// Kill while the transaction is being written: the WAL is filling.
	killWhen(t, cmd, out, db, func(j store.ImportJob) bool {
		wal, err := os.Stat(db + "-wal")
		return j.State == store.JobRunning && err == nil && wal.Size() > 8<<20
	})
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.BreachByName(context.Background(), "Big list"); err == nil {
		t.Fatal("a killed import left its breach")
	}
	st.Close()

	cmd, out = pcmtChild(t, args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	st, err = store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := st.BreachByName(context.Background(), "Big list")
	if err != nil || b.Records != n || b.Emails != n {
		t.Fatalf("breach after the re-run: %+v, %v", b, err)
	}
	if c, _ := st.RecordCount(context.Background(), b.ID); c != n {
		t.Fatalf("%d records stored, want %d", c, n)
	}
	d := breach.EmailDigest([]byte("user123@example.com"))
	if ids, _ := st.BreachesWith(context.Background(), store.RecordEmail, d[:]); !slices.Equal(ids, []int64{b.ID}) {
		t.Fatalf("user123 found in %v", ids)
	}
	if bs, _ := st.Breaches(context.Background()); len(bs) != 1 {
		t.Fatalf("%d breaches, want 1", len(bs))
	}
}
