// Command pcmt is the Password Compromise Monitoring Tool: a self-hosted web
// app that tells people whether their e-mails, usernames and passwords appear
// in known breaches. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"pcmt/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	os.Exit(cli.ExitCode(err, os.Stderr))
}

func run(ctx context.Context, args []string) error {
	return cli.Run(ctx, args, cli.IO{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.LookupEnv,
	})
}
