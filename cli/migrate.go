package cli

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	rest, err := parseCommand("migrate", args, io, &cf, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: pcmt migrate [--config FILE] up|down|status")
	}
	action := rest[0]
	if action != "up" && action != "down" && action != "status" {
		return usagef("pcmt migrate: unknown action %q: want up, down or status", action)
	}
	cfg, _, err := cf.load(io)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	switch action {
	case "up":
		n, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Stdout, "applied %d migration(s) to %s\n", n, cfg.Database.Path)
	case "down":
		ok, err := st.MigrateDown(ctx)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(io.Stdout, "nothing to roll back in %s\n", cfg.Database.Path)
			return nil
		}
		fmt.Fprintf(io.Stdout, "rolled back the newest migration of %s\n", cfg.Database.Path)
	case "status":
		list, err := st.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(io.Stdout, "%-8s %d %s\n", state, m.Version, m.Source)
		}
	}
	return nil
}
