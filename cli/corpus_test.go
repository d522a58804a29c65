package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
)

// childSyncSpaceEnv tells the test binary, run as pcmt, to sync only the
// first ranges: the command itself has no such option.
const childSyncSpaceEnv = "PCMT_TEST_SYNC_SPACE"

func startUpstream(t *testing.T, corpora ...*hibptest.Corpus) *hibptest.Server {
	t.Helper()
	up, err := hibptest.Start("127.0.0.1:0", corpora...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	return up
}

// runSync runs `pcmt corpus sync` in process over the first space ranges.
func runSync(t *testing.T, env map[string]string, space uint32, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), append([]string{"corpus"}, args...), IO{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv:    func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		syncSpace: space,
	})
	return ExitCode(err, &stderr), stdout.String(), stderr.String()
}

func TestCorpusSyncCommand(t *testing.T) {
	const space = 200
	sha1 := hibptest.Generate(hibp.ModeSHA1, 11, space, 30)
	ntlm := hibptest.Generate(hibp.ModeNTLM, 12, space, 30)
	up := startUpstream(t, sha1, ntlm)
	db := filepath.Join(t.TempDir(), "pcmt.db")
	env := map[string]string{"PCMT_DATABASE_PATH": db, "PCMT_HIBP_PASSWORDSURL": up.URL, "PCMT_LOGGER_LEVEL": "warn"}
	populated := len(sha1.Prefixes())
	for _, tc := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"no action", nil, 2, "", "usage: pcmt corpus sync"},
		{"unknown action", []string{"fetch"}, 2, "", "usage: pcmt corpus sync"},
		{"bad mode", []string{"sync", "--mode", "md5"}, 2, "", "--mode"},
		{"too many workers", []string{"sync", "--workers", "500"}, 2, "", "--workers"},
		{"first sync", []string{"sync", "--workers", "3"}, 0,
			fmt.Sprintf("%d ranges: %d fetched, 0 unchanged (304), %d changed, 0 failed; %d hashes written", space, space, populated, sha1.Hashes()),
			"syncing the sha1 corpus from " + up.URL},
		{"nothing changed", []string{"sync"}, 0, fmt.Sprintf("0 fetched, %d unchanged (304), 0 changed, 0 failed", space), ""},
		{"ntlm", []string{"sync", "--mode", "ntlm"}, 0, "synced the ntlm Pwned Passwords corpus", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runSync(t, env, space, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tc.code, stdout, tc.stdout, stderr, tc.stderr)
			}
		})
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []*hibptest.Corpus{sha1, ntlm} {
		if err := hibptest.Compare(context.Background(), st, c, space); err != nil {
			t.Fatal(err)
		}
	}

	// A pwned dump is refused over the synced corpus, as over an imported one.
	code, _, stderr := runCLI(t, env, "import", writeDump(t, sha1))
	if code != 1 || !strings.Contains(stderr, "replace it to import again") {
		t.Fatalf("import over a synced corpus: exit %d, %s", code, stderr)
	}
}

// writeDump writes c as a Pwned Passwords dump.
func writeDump(t *testing.T, c *hibptest.Corpus) string {
	t.Helper()
	var b bytes.Buffer
	for _, p := range c.Prefixes() {
		for _, line := range strings.Split(string(c.Answer(p)), "\r\n") {
			fmt.Fprintf(&b, "%05X%s\r\n", p, line)
		}
	}
	path := filepath.Join(t.TempDir(), "dump.txt")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKilledCorpusSyncResumesExactly kills a real `pcmt corpus sync` with
// SIGKILL once it has committed part of the corpus, runs it again, and
// checks that the second run fetched exactly the ranges not committed and
// that the store holds exactly upstream's corpus, each range counted once.
func TestKilledCorpusSyncResumesExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real sync process")
	}
	const space = 4096
	c := hibptest.Generate(hibp.ModeSHA1, 21, space, 20)
	up := startUpstream(t, c)
	up.SetDelay(10 * time.Millisecond)
	db := filepath.Join(t.TempDir(), "pcmt.db")
	t.Setenv("PCMT_HIBP_PASSWORDSURL", up.URL)
	t.Setenv(childSyncSpaceEnv, strconv.Itoa(space))
	args := []string{"corpus", "sync", "--database", db}

	cmd, out := pcmtChild(t, args...)
	killWhen(t, cmd, out, db, func(j store.ImportJob) bool { return j.BytesDone > 0 && j.BytesDone < space/2 })
	j, _ := lastJob(db)
	if j.State != store.JobRunning || j.BytesDone == 0 || !j.IsSync() {
		t.Fatalf("after kill -9 the job is %+v", j)
	}
	done := j.BytesDone
	up.SetDelay(0)
	up.Stats()

	cmd, out = pcmtChild(t, args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("resuming the interrupted sync (job %d)", j.ID)) {
		t.Fatalf("re-run output:\n%s", out)
	}
	if st := up.Stats(); st.Requests != space-done {
		t.Fatalf("the re-run asked for %d ranges; %d of %d were committed before the kill", st.Requests, done, space)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := hibptest.Compare(context.Background(), st, c, space); err != nil {
		t.Fatal(err)
	}
	j, _ = lastJob(db)
	if j.State != store.JobDone || j.BytesDone != space || j.RangesFetched != space || j.RangesUnchanged != 0 ||
		j.RangesChanged != int64(len(c.Prefixes())) || j.Records != c.Hashes() {
		t.Fatalf("job after the re-run: %+v", j)
	}
}
