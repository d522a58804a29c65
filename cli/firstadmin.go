package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"pcmt/accounts"
	"pcmt/config"
)

// createFirstAdmin makes the admin account of an empty database when
// Init.CreateAdmin says so, by the accounts rules. A generated password is
// written once to console and never to the log; either way it must be
// changed at first sign-in, which is when the admin's own key is made.
func createFirstAdmin(ctx context.Context, init config.Init, users *accounts.Service, console io.Writer, log *slog.Logger) error {
	if !init.CreateAdmin {
		return nil
	}
	c, err := users.FirstAdmin(ctx, init.AdminPassword)
	if r := (accounts.Refused{}); errors.As(err, &r) {
		// The value is a secret: the error names the key, never the value.
		return &config.Error{Key: "Init.AdminPassword", Reason: "refused for the first admin: " + r[accounts.FieldPassword]}
	}
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if c.User == nil {
		return nil
	}
	log.Info("created the first admin account", "username", c.User.Username, "generated_password", c.GeneratedPassword != "")

	shown := c.GeneratedPassword
	if shown == "" {
		shown = "the one set in Init.AdminPassword"
	}
	fmt.Fprintf(console, "pcmt: created the admin account\n  username: %s\n  password: %s\n  change it at first sign-in\n", c.User.Username, shown)
	return nil
}
