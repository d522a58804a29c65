// Package cli is pcmt's command line: it parses a command, loads the
// configuration and runs the command.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// IO is the outside world a command talks to.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) (string, bool)

	// syncSpace, when set, limits a corpus sync to the first ranges. Only
	// this package's tests set it; the command always covers them all.
	syncSpace uint32
}

// UsageError is a command line that does not parse: exit status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

const usage = `usage: pcmt <command> [flags]

commands:
  serve                  run the web app (default config: localhost:3000, ./pcmt.db)
  migrate up|down|status apply, roll back one, or list database migrations
  import FILE...         import breaches (YAML, line lists) or a Pwned Passwords corpus
  corpus sync            fetch the Pwned Passwords corpus from the range API ([HIBP] PasswordsURL)
  user create|passwd|list
                         add an account, reset a password, list the accounts
  backup FILE            copy the database, online, into the new file FILE
  restore [--replica URL] FILE
                         restore the newest state of the replica into the new file FILE
  audit verify           check that the activity log's hash chain is unbroken
  config check           load and validate the configuration
  version                print the version

Every command takes --config FILE (or PCMT_CONFIG); see config.toml.example.
`

type command struct {
	name string
	run  func(ctx context.Context, args []string, io IO) error
}

var commands = []command{
	{"serve", runServe},
	{"migrate", runMigrate},
	{"import", runImport},
	{"corpus", runCorpus},
	{"user", runUser},
	{"backup", runBackup},
	{"restore", runRestore},
	{"replicate", runReplicate}, // started by serve, not listed
	{"audit", runAudit},
	{"config", runConfig},
	{"version", runVersion},
}

// Run runs the command named by args[0].
func Run(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 {
		return usagef("pcmt: no command given\n%s", usage)
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(io.Stdout, usage)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io)
		}
	}
	return usagef("pcmt: unknown command %q\n%s", args[0], usage)
}

// ExitCode reports err on w as one line (usage errors with their help) and
// returns the exit status: 0 for success, 2 for usage errors, 1 otherwise.
func ExitCode(err error, w io.Writer) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(w, strings.TrimRight(ue.Msg, "\n"))
		return 2
	}
	fmt.Fprintln(w, "pcmt: "+strings.ReplaceAll(err.Error(), "\n", "; "))
	return 1
}

// errHelpShown ends a command whose help was asked for and printed.
var errHelpShown = errors.New("help shown")

// newFlags makes a flag set that reports errors as usage errors instead of
// printing and exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("pcmt "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseCommand parses the flags of command name: --config and whatever
// more registers, into cf and the command's own variables; it returns the
// positional arguments.
func parseCommand(name string, args []string, io IO, cf *configFlags, more func(*flag.FlagSet)) ([]string, error) {
	fs := newFlags(name)
	cf.register(fs)
	if more != nil {
		more(fs)
	}
	return parseFlags(fs, args, io.Stdout)
}

// parseFlags parses args, flags before and after positional arguments alike
// ("config check --config x"), and returns the positional ones. -h prints
// the flags to stdout and returns errHelpShown.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage of %s:\n", fs.Name())
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil, errHelpShown
		}
		if err != nil {
			return nil, usagef("%s: %v (see %s -h)", fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
