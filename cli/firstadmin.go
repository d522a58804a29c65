package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"pcmt/account"
	"pcmt/config"
	"pcmt/store"
)

// The first admin's name and address. admin@localhost is no address that
// ValidEmail accepts (it has no dot): it is a placeholder the admin replaces.
const (
	firstAdminName  = "admin"
	firstAdminEmail = "admin@localhost"
)

// createFirstAdmin makes the admin account of an empty database when
// Init.CreateAdmin says so. A generated password is written once to console
// and never to the log; either way it must be changed at first sign-in, which
// is when the admin's own key is made.
func createFirstAdmin(ctx context.Context, init config.Init, st *store.Store, audit *store.Auditor, console io.Writer, log *slog.Logger) error {
	if !init.CreateAdmin {
		return nil
	}
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := init.AdminPassword
	if password != "" {
		// The value is a secret: the error names the key, never the value.
		if msg := account.NewPolicy().Check(password, firstAdminName, firstAdminEmail); msg != "" {
			return &config.Error{Key: "Init.AdminPassword", Reason: "refused for the first admin: " + msg}
		}
	} else {
		password = account.GeneratePassword()
	}
	hash, err := account.NewHasher().Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	u := &store.User{
		Username: firstAdminName, Email: firstAdminEmail, PasswordHash: hash,
		Role: store.RoleAdmin, MustChangePassword: true,
	}
	if err := st.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if err := audit.Append(ctx, &store.Activity{UserID: u.ID, Event: store.EventUserCreated, Detail: "first admin, at first start"}); err != nil {
		return err
	}
	log.Info("created the first admin account", "username", u.Username, "generated_password", init.AdminPassword == "")

	shown := password
	if init.AdminPassword != "" {
		shown = "the one set in Init.AdminPassword"
	}
	fmt.Fprintf(console, "pcmt: created the admin account\n  username: %s\n  password: %s\n  change it at first sign-in\n", u.Username, shown)
	return nil
}
