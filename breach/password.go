package breach

import (
	"context"
	"log/slog"
	"time"

	"pcmt/store"
)

// SeenPassword is the password policy's breach check: whether the
// instance's own data — its Pwned Passwords corpus or any breach — holds
// the password. A failed lookup lets the password through (the other rules
// still apply) and is logged: a database hiccup must not lock users out of
// changing their password.
func SeenPassword(st *store.Store, log *slog.Logger) func(password string) bool {
	return func(password string) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		seen, err := st.PasswordSeen(ctx, PasswordHashes([]byte(password)))
		if err != nil {
			log.Warn("password breach check failed", "err", err)
			return false
		}
		return seen
	}
}
