// Command signincost measures what one sign-in costs pcmt: the argon2id
// password check and the scrypt unwrap of the user's key, at the production
// parameters. Each operation runs in a child process of its own, so that its
// peak memory (VmHWM) is its own; times are the median of -n runs.
//
//	go run ./bench/signincost -n 10
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"pcmt/account"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "signincost:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 10, "runs per operation")
	child := flag.String("child", "", "internal: run one operation and report")
	flag.Parse()
	if *child != "" {
		return runChild(*child)
	}
	return measure(*n)
}

const password = "correct horse battery staple"

// measure makes the password hash and the wrapped key once, at the
// production parameters, then times each operation in fresh child processes.
func measure(n int) error {
	ctx := context.Background()
	encoded, err := account.NewHasher().Hash(ctx, password)
	if err != nil {
		return err
	}
	vault := account.NewVault(account.MinVaultWorkFactor)
	_, wrapped, _, err := vault.NewKey(ctx, password)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "signincost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(dir+"/hash", []byte(encoded), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(dir+"/key", wrapped, 0o600); err != nil {
		return err
	}

	fmt.Printf("argon2id %s; scrypt work factor 2^%d\n\n", encoded[:strings.LastIndex(encoded[:strings.LastIndex(encoded, "$")], "$")], account.MinVaultWorkFactor)
	fmt.Println("| operation | median ms | min–max ms | peak RSS of the process |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	for _, op := range []string{"baseline", "argon2id-verify", "scrypt-unwrap", "signin"} {
		var ms []float64
		var hwm string
		for range n {
			cmd := exec.Command(os.Args[0], "-child", op)
			cmd.Env = append(os.Environ(), "SIGNINCOST_DIR="+dir)
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			f := strings.Fields(string(out))
			v, _ := strconv.ParseFloat(f[0], 64)
			ms = append(ms, v)
			hwm = f[1] + " " + f[2]
		}
		slices.Sort(ms)
		fmt.Printf("| %s | %.1f | %.1f–%.1f | %s |\n", op, ms[len(ms)/2], ms[0], ms[len(ms)-1], hwm)
	}
	return nil
}

// runChild runs op once, timed, on the inputs the parent made, and prints
// the milliseconds and the process's peak RSS.
func runChild(op string) error {
	ctx := context.Background()
	dir := os.Getenv("SIGNINCOST_DIR")
	encoded, err := os.ReadFile(dir + "/hash")
	if err != nil {
		return err
	}
	wrapped, err := os.ReadFile(dir + "/key")
	if err != nil {
		return err
	}
	hasher := account.NewHasher()
	vault := account.NewVault(account.MinVaultWorkFactor)
	start := time.Now()
	switch op {
	case "baseline":
	case "argon2id-verify":
		_, err = hasher.Verify(ctx, string(encoded), password)
	case "scrypt-unwrap":
		_, err = vault.Unwrap(ctx, 1, wrapped, password)
	case "signin":
		if _, err = hasher.Verify(ctx, string(encoded), password); err == nil {
			_, err = vault.Unwrap(ctx, 1, wrapped, password)
		}
	default:
		return fmt.Errorf("unknown operation %q", op)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Printf("%.2f %s\n", float64(elapsed.Microseconds())/1000, peakRSS())
	return nil
}

func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "? MiB"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "? MiB"
}
