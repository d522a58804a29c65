// Command startup measures how long a server takes from exec to its first
// 200 answer: it starts the command, polls a URL every millisecond, stops
// the server with SIGTERM and repeats. bench/run.sh uses it for pcmt's
// start-up time to ready.
//
//	startup -n 10 -url http://127.0.0.1:3181/readyz -remove db,db.secrets -- ./pcmt serve
//
// With -remove, the listed files are deleted before each run, so every run
// starts on a fresh database.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 10, "runs")
	url := flag.String("url", "", "URL that answers 200 once the server is ready")
	remove := flag.String("remove", "", "comma-separated files to delete before each run")
	limit := flag.Duration("timeout", 10*time.Second, "longest wait for one start")
	flag.Parse()
	if *url == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: startup -url URL [-n N] [-remove FILES] -- command [args]")
		os.Exit(2)
	}
	var times []time.Duration
	for i := 0; i < *n; i++ {
		if *remove != "" {
			for _, f := range strings.Split(*remove, ",") {
				if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
		}
		d, err := once(*url, *limit, flag.Args())
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	fmt.Printf("runs=%d min_ms=%s median_ms=%s max_ms=%s\n",
		len(times), ms(times[0]), ms(median(times)), ms(times[len(times)-1]))
	return nil
}

// once starts the command, waits for the first 200 from url and stops the
// command again.
func once(url string, limit time.Duration, argv []string) (time.Duration, error) {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr // stdout is the result line
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	for time.Since(start) < limit {
		select {
		case err := <-exited:
			exited <- err // let the deferred wait see it too
			return 0, fmt.Errorf("%s exited before it was ready: %v", argv[0], err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("%s not ready after %s", argv[0], limit)
}

func median(sorted []time.Duration) time.Duration {
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[m]
	}
	return (sorted[m-1] + sorted[m]) / 2
}
