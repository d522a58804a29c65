package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
)

func runAudit(ctx context.Context, args []string, io IO) error {
	var cf configFlags
	rest, err := parseCommand("audit", args, io, &cf, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "verify" {
		return usagef("usage: pcmt audit [--config FILE] verify")
	}
	cfg, st, err := openExisting(ctx, &cf, io)
	if err != nil {
		return err
	}
	defer st.Close()
	// Loading the keys would generate a fresh audit key when the secrets
	// file is gone, and every row would then look forged: unless the log is
	// empty, say what is wrong instead.
	if _, err := os.Stat(cfg.SecretsPath()); errors.Is(err, os.ErrNotExist) {
		if n, err := st.Auditor(nil).Verify(ctx); err == nil && n == 0 {
			fmt.Fprintln(io.Stdout, "activity log intact: 0 rows")
			return nil
		}
		return fmt.Errorf("audit verify: the secrets file %s is missing: its AuditSecret is needed to check the activity log", cfg.SecretsPath())
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	n, err := st.Auditor(keys.Audit).Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "activity log intact: %d rows\n", n)
	return nil
}
