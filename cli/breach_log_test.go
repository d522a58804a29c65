package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"pcmt/config"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
)

// TestImportAndSyncAreLogged: pcmt import and pcmt corpus sync follow the
// pages' rule, each job made with its activity log entry (the command line
// its actor), in a chain that the secrets file's audit key verifies.
func TestImportAndSyncAreLogged(t *testing.T) {
	const space = 16
	up := startUpstream(t, hibptest.Generate(hibp.ModeSHA1, 5, space, 10))
	dir := t.TempDir()
	db := filepath.Join(dir, "pcmt.db")
	env := map[string]string{"PCMT_DATABASE_PATH": db, "PCMT_HIBP_PASSWORDSURL": up.URL, "PCMT_LOGGER_LEVEL": "warn"}
	list := filepath.Join(dir, "forum.txt")
	if err := os.WriteFile(list, []byte("ann@example.org\nbob@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, env, "import", "--kind", "emails", list); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	if code, _, stderr := runSync(t, env, space, "sync"); code != 0 {
		t.Fatalf("sync: %d %s", code, stderr)
	}

	cfg := config.Default()
	cfg.Database.Path = db
	keys, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.ImportJobs(ctx, 5)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("%d jobs, %v", len(jobs), err)
	}
	sync, imp := jobs[0], jobs[1]
	acts, err := st.AdminActions(ctx, 5)
	if err != nil || len(acts) != 2 {
		t.Fatalf("%d log entries, %v: %+v", len(acts), err, acts)
	}
	for i, want := range []struct{ event, detail string }{
		{store.EventCorpusSync, fmt.Sprintf("sha1 corpus from %s, job %d", up.URL, sync.ID)},
		{store.EventImportUploaded, fmt.Sprintf("forum.txt (32 bytes), job %d", imp.ID)},
	} {
		if a := acts[i]; a.Event != want.event || a.Detail != want.detail || a.ActorID != 0 {
			t.Errorf("entry %d: %+v, want %s %q by the command line", i, a.Activity, want.event, want.detail)
		}
	}
	if n, err := st.Auditor(keys.Audit).Verify(ctx); err != nil || n != 2 {
		t.Fatalf("log chain: %d rows, %v", n, err)
	}
}
