package cli

import (
	"context"
	"errors"
	"fmt"

	"pcmt/store"
)

// runBackup copies the database, online, into a new file. The secrets file
// is left out on purpose: kept apart from the copy, a stolen backup cannot
// test guesses against the watchlists.
func runBackup(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	rest, err := parseCommand("backup", args, io, &cf, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] == "" {
		return usagef("usage: pcmt backup [--config FILE] FILE")
	}
	file := rest[0]
	cfg, st, err := openExisting(ctx, &cf, io)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, file); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("backup: %s already exists: choose a new file name", file)
		}
		return err
	}
	where, size := writtenFile(file)
	fmt.Fprintf(io.Stdout, "backed up %s to %s%s\n", cfg.Database.Path, where, size)
	fmt.Fprintf(io.Stdout, "Back up the secrets file %s too, separately: without it the copy's watchlists and sealed settings cannot be used.\n", cfg.SecretsPath())
	return nil
}
