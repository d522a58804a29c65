package replica

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Replicator runs the replicating process (Run, in a process of its own:
// see the package comment) beside serve, restarts it when it dies, and
// stops it after the store is closed, so that the last writes reach the
// replica too.
type Replicator struct {
	command  func() *exec.Cmd
	settings []byte
	log      *slog.Logger

	mu       sync.Mutex
	cur      *child // nil while restarting
	stopping bool
	stopped  context.Context // done once Stop is called
	stop     context.CancelFunc
	done     chan struct{} // closed when the supervisor has returned
}

// child is one run of the replicating process.
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan string   // its stdout, a line each
	exited  chan struct{} // closed once it has exited and err is set
	err     error
	ask     sync.Mutex // one request at a time
}

// restartDelay is the first wait before a died process is started again;
// it doubles up to maxRestartDelay.
const (
	restartDelay    = time.Second
	maxRestartDelay = time.Minute
)

// stopTimeout bounds how long Stop waits for the final sync before it
// kills the process: Litestream gives up after finalSyncTimeout.
const stopTimeout = finalSyncTimeout + 15*time.Second

// Start runs command (the same binary with the replicate command) with s
// and returns once it replicates; an error, with the process's own reason,
// when it cannot start.
func Start(ctx context.Context, command func() *exec.Cmd, s Settings, log *slog.Logger) (*Replicator, error) {
	settings, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	r := &Replicator{command: command, settings: settings, log: log, done: make(chan struct{})}
	r.stopped, r.stop = context.WithCancel(context.Background())
	c, err := r.start(ctx)
	if err != nil {
		r.stop()
		return nil, err
	}
	r.cur = c
	go r.supervise(c)
	return r, nil
}

// start starts one process and waits for it to say it replicates.
func (r *Replicator) start(ctx context.Context) (*child, error) {
	cmd := r.command()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("replica: start the replicating process: %w", err)
	}
	c := &child{cmd: cmd, stdin: stdin, replies: make(chan string, 1), exited: make(chan struct{})}
	lastErr := make(chan string, 1)
	var output sync.WaitGroup
	output.Add(2)
	go func() { defer output.Done(); r.relayLog(stderr, lastErr) }()
	go func() {
		defer output.Done()
		defer close(c.replies)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			c.replies <- lines.Text()
		}
	}()
	go func() {
		output.Wait() // Wait closes the pipes: read them to the end first
		err := cmd.Wait()
		if err != nil {
			select {
			case reason := <-lastErr:
				err = fmt.Errorf("%w: %s", err, reason)
			default:
			}
		}
		c.err = err
		close(c.exited)
	}()

	if _, err := fmt.Fprintf(stdin, "%s\n", r.settings); err != nil {
		stdin.Close()
		<-c.exited
		return nil, fmt.Errorf("replica: the replicating process did not start: %w", c.err)
	}
	select {
	case line, ok := <-c.replies:
		if ok && line == replyReady {
			return c, nil
		}
		stdin.Close()
		<-c.exited
		return nil, fmt.Errorf("replica: the replicating process did not start: %v", c.err)
	case <-ctx.Done():
		stdin.Close()
		_ = cmd.Process.Kill()
		<-c.exited
		return nil, ctx.Err()
	}
}

// relayLog logs what the process logs (JSON lines) through r's logger and
// keeps its last line that is not JSON, which is the reason it exited.
func (r *Replicator) relayLog(stderr io.Reader, lastErr chan<- string) {
	lines := bufio.NewScanner(stderr)
	var last string
	for lines.Scan() {
		line := lines.Text()
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber() // durations are nanoseconds: 30000000000, not 3e+10
		if dec.Decode(&rec) != nil {
			last = strings.TrimPrefix(line, "pcmt: ")
			r.log.Error("replica: "+last, "component", "replica")
			continue
		}
		var level slog.Level
		if s, ok := rec["level"].(string); ok {
			_ = level.UnmarshalText([]byte(s))
		}
		msg, _ := rec["msg"].(string)
		attrs := []any{"component", "replica"}
		for k, v := range rec {
			if k != "time" && k != "level" && k != "msg" {
				attrs = append(attrs, k, v)
			}
		}
		r.log.Log(context.Background(), level, msg, attrs...)
	}
	if last != "" {
		lastErr <- last
	}
}

// supervise waits for the process to exit and, unless Stop was called,
// starts it again after a delay that grows while it keeps failing.
func (r *Replicator) supervise(c *child) {
	defer close(r.done)
	delay := restartDelay
	for {
		select {
		case <-c.exited:
		case <-r.stopped.Done():
			return
		}
		r.mu.Lock()
		stopping := r.stopping
		r.cur = nil
		r.mu.Unlock()
		if stopping {
			return
		}
		r.log.Error("replica: the replicating process stopped; starting it again", "error", c.err, "in", delay)
		for {
			select {
			case <-time.After(delay):
			case <-r.stopped.Done():
				return
			}
			delay = min(2*delay, maxRestartDelay)
			next, err := r.start(r.stopped)
			if err != nil {
				r.log.Error("replica: the replicating process did not start again", "error", err, "retry in", delay)
				continue
			}
			r.mu.Lock()
			if r.stopping {
				r.mu.Unlock()
				next.stdin.Close()
				<-next.exited
				return
			}
			r.cur = next
			r.mu.Unlock()
			r.log.Info("replica: the replicating process runs again")
			c, delay = next, restartDelay
			break
		}
	}
}

// Position asks the running process how far replication has gone.
func (r *Replicator) Position(ctx context.Context) (Position, error) {
	r.mu.Lock()
	c := r.cur
	r.mu.Unlock()
	if c == nil {
		return Position{}, errors.New("replica: the replicating process is not running")
	}
	c.ask.Lock()
	defer c.ask.Unlock()
	if _, err := fmt.Fprintln(c.stdin, cmdPosition); err != nil {
		return Position{}, fmt.Errorf("replica: position: %w", err)
	}
	select {
	case line, ok := <-c.replies:
		if !ok {
			return Position{}, errors.New("replica: position: the replicating process exited")
		}
		return parsePosition(line)
	case <-ctx.Done():
		return Position{}, ctx.Err()
	}
}

func parsePosition(line string) (Position, error) {
	f := strings.Fields(line)
	if len(f) == 3 && f[0] == replyPosition {
		local, err1 := strconv.ParseUint(f[1], 10, 64)
		remote, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 == nil && err2 == nil {
			return Position{Local: local, Replica: remote}, nil
		}
	}
	if msg, ok := strings.CutPrefix(line, replyError+" "); ok {
		return Position{}, errors.New("replica: position: " + msg)
	}
	return Position{}, fmt.Errorf("replica: position: unexpected answer %q", line)
}

// Stop ends the process once it has sent what is left to the replica:
// call it after the store is closed. It kills the process if that takes
// longer than stopTimeout.
func (r *Replicator) Stop() error {
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		return nil
	}
	r.stopping = true
	c := r.cur
	r.cur = nil
	r.mu.Unlock()
	r.stop()
	<-r.done
	if c == nil {
		return nil
	}
	c.stdin.Close()
	select {
	case <-c.exited:
	case <-time.After(stopTimeout):
		_ = c.cmd.Process.Kill()
		<-c.exited
		return errors.New("replica: the final sync took too long: the replicating process was killed")
	}
	if c.err != nil {
		return fmt.Errorf("replica: the replicating process: %w", c.err)
	}
	return nil
}
