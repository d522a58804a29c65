package cli

import (
	"context"
	"fmt"

	"pcmt/config"
)

func runConfig(_ context.Context, args []string, io IO) error {
	var cf configFlags
	rest, err := parseCommand("config", args, io, &cf, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "check" {
		return usagef("usage: pcmt config [--config FILE] check")
	}
	cfg, src, err := cf.load(io)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	fmt.Fprintf(io.Stdout, "configuration is valid (%s)\n", describeSource(src))
	fmt.Fprintf(io.Stdout, "  listen:   %s://%s\n", scheme, cfg.Addr())
	fmt.Fprintf(io.Stdout, "  database: %s\n", cfg.Database.Path)
	fmt.Fprintf(io.Stdout, "  secrets:  %s\n", secretsNote(cfg.Session.CookieAuthSecret == "" || cfg.Session.CookieEncrSecret == "", cfg.SecretsPath()))
	fmt.Fprintf(io.Stdout, "  replica:  %s\n", replicaNote(cfg.Replica))
	return nil
}

func replicaNote(r config.Replica) string {
	if !r.Enabled {
		return "off"
	}
	return fmt.Sprintf("%s, changes sent every %s", config.DescribeReplica(r.Target()), r.SyncInterval.Std())
}

func secretsNote(generated bool, path string) string {
	if generated {
		return "generated at first start into " + path
	}
	return "set in the configuration"
}
