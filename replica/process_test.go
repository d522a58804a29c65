package replica

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
	"pcmt/store/storetest"
)

// roleEnv makes the test binary the replicating process ("run") or one
// that fails at once ("fail").
const roleEnv = "PCMT_REPLICA_TEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "run":
		if err := Run(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "pcmt: "+err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	case "fail":
		fmt.Fprintln(os.Stderr, "pcmt: replicate: cannot do it")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func command(role string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), roleEnv+"="+role)
		return cmd
	}
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func settings(t *testing.T) Settings {
	t.Helper()
	db := filepath.Join(t.TempDir(), "pcmt.db")
	st := storetest.Open(t, db)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := config.Default().Replica
	r.Enabled, r.Path, r.SyncInterval = true, filepath.Join(t.TempDir(), "replica"), config.Duration(50*time.Millisecond)
	return Settings{Database: db, Replica: r, LogLevel: "info"}
}

// A process that cannot start makes Start fail with its own reason.
func TestStartSaysWhyTheProcessFailed(t *testing.T) {
	var logs logBuffer
	_, err := Start(context.Background(), command("fail"), settings(t), slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil || !strings.Contains(err.Error(), "replicate: cannot do it") {
		t.Fatalf("Start: %v", err)
	}
}

// A replicating process that dies is started again, and replication goes
// on: a row committed afterwards reaches the replica.
func TestReplicatorRestartsADeadProcess(t *testing.T) {
	s := settings(t)
	var logs logBuffer
	r, err := Start(context.Background(), command("run"), s, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := r.Position(ctx); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	first := r.cur
	r.mu.Unlock()
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.exited

	// Started again after restartDelay.
	for {
		r.mu.Lock()
		cur := r.cur
		r.mu.Unlock()
		if cur != nil && cur != first {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("not started again:\n%s", logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	st := storetest.Open(t, s.Database)
	if err := st.Auditor(make([]byte, 32)).PutSetting(ctx, "after the restart", []byte("v"),
		&store.Activity{Event: store.EventHIBPKeyChanged}); err != nil {
		t.Fatal(err)
	}
	want, err := r.Position(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for p := want; p.Replica < want.Local; {
		select {
		case <-ctx.Done():
			t.Fatalf("the replica stayed at %d, want %d", p.Replica, want.Local)
		case <-time.After(20 * time.Millisecond):
		}
		if p, err = r.Position(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "starting it again") || !strings.Contains(logs.String(), "runs again") {
		t.Fatalf("the restart was not logged:\n%s", logs.String())
	}
	if _, err := r.Position(ctx); err == nil {
		t.Fatal("a stopped replicator answered")
	}
}
