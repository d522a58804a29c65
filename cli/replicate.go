package cli

import (
	"context"

	"pcmt/replica"
)

// runReplicate is the replicating process serve starts beside itself when
// [Replica] Enabled is on (see package replica for why it is a process of
// its own). It reads its settings from stdin and stops when stdin ends;
// it is not meant to be run by hand.
func runReplicate(ctx context.Context, args []string, io IO) error {
	if len(args) > 0 {
		return usagef("pcmt replicate takes no arguments: pcmt serve runs it")
	}
	return replica.Run(ctx, io.Stdin, io.Stdout, io.Stderr)
}
