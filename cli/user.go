package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"pcmt/account"
	"pcmt/accounts"
	"pcmt/config"
	"pcmt/store"
)

const userUsage = `usage: pcmt user create --username U --email E [--password-stdin] [--admin]
       pcmt user passwd [--password-stdin] USER
       pcmt user list`

// userFlags are the flags of every user action; each action says which of
// them it takes, so that they may come before or after the action.
type userFlags struct {
	cf            configFlags
	username      string
	email         string
	passwordStdin bool
	admin         bool
}

// userActions name the flags each action takes besides the config flags.
var userActions = map[string][]string{
	"create": {"username", "email", "password-stdin", "admin"},
	"passwd": {"password-stdin"},
	"list":   {},
}

func runUser(ctx context.Context, args []string, io IO) error {
	fs := newFlags("user")
	var f userFlags
	f.cf.register(fs)
	fs.StringVar(&f.username, "username", "", "create: the new user's name (3 to 32 letters, digits, . - _)")
	fs.StringVar(&f.email, "email", "", "create: the new user's e-mail address")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "create, passwd: read the password as one line from stdin (default: generate one and print it)")
	fs.BoolVar(&f.admin, "admin", false, "create: make the user an admin")
	rest, err := parseFlags(fs, args, io.Stdout)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("%s", userUsage)
	}
	action := rest[0]
	allowed, ok := userActions[action]
	if !ok {
		return usagef("pcmt user: unknown action %q: want create, passwd or list", action)
	}
	if err := onlyFlags(fs, action, allowed); err != nil {
		return err
	}

	switch action {
	case "create":
		if len(rest) != 1 || f.username == "" || f.email == "" {
			return usagef("%s", userUsage)
		}
		return userCreate(ctx, f, io)
	case "passwd":
		if len(rest) != 2 {
			return usagef("usage: pcmt user passwd [--password-stdin] USER")
		}
		return userPasswd(ctx, f, rest[1], io)
	default:
		if len(rest) != 1 {
			return usagef("usage: pcmt user list")
		}
		return userList(ctx, f, io)
	}
}

// onlyFlags refuses flags that were set but do not belong to action.
func onlyFlags(fs *flag.FlagSet, action string, allowed []string) error {
	ok := map[string]bool{"config": true, "host": true, "port": true, "database": true}
	for _, name := range allowed {
		ok[name] = true
	}
	var bad string
	fs.Visit(func(fl *flag.Flag) {
		if !ok[fl.Name] && bad == "" {
			bad = fl.Name
		}
	})
	if bad != "" {
		return usagef("pcmt user %s: --%s does not apply to %s (see pcmt user -h)", action, bad, action)
	}
	return nil
}

// userPassword is the password given on stdin, or "" to have one
// generated and printed.
func userPassword(f userFlags, io IO) (string, error) {
	if f.passwordStdin {
		return readPassword(io.Stdin)
	}
	return "", nil
}

// warnings logs warnings and errors on stderr, nothing below.
func warnings(io IO) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// newAccounts is the accounts layer over st, its breach checks' failures
// warned about on stderr.
func newAccounts(st *store.Store, keys config.Keys, io IO) *accounts.Service {
	return accounts.New(accounts.Deps{Store: st, AuditKey: keys.Audit, Log: warnings(io)})
}

// refusal words a refusal of the accounts rules for the command line: a
// bad username or address is a usage error; a password or a name in use
// is refused.
func refusal(action string, n accounts.NewUser, err error) error {
	var r accounts.Refused
	switch {
	case errors.As(err, &r) && r[accounts.FieldUsername] != "":
		return usagef("pcmt user %s: --username %q: use 3 to 32 letters, digits, dots, dashes or underscores", action, n.Username)
	case errors.As(err, &r) && r[accounts.FieldEmail] != "":
		return usagef("pcmt user %s: --email %q: not an e-mail address like name@example.org", action, n.Email)
	case errors.As(err, &r):
		return fmt.Errorf("user %s: password refused: %s", action, r[accounts.FieldPassword])
	case errors.Is(err, store.ErrEmailTaken):
		return fmt.Errorf("user %s: an account with e-mail %s exists", action, n.Email)
	case errors.Is(err, store.ErrUsernameTaken):
		return fmt.Errorf("user %s: the username %s is taken", action, n.Username)
	}
	return err
}

// userCreate adds an account from the command line by the accounts rules.
// What needs no database is checked before one is opened.
func userCreate(ctx context.Context, f userFlags, io IO) error {
	n := accounts.NewUser{Username: f.username, Email: account.NormalizeEmail(f.email), Role: store.RoleUser,
		Note: "from the command line"}
	if f.admin {
		n.Role = store.RoleAdmin
	}
	if err := accounts.Precheck(n); err != nil {
		return refusal("create", accounts.NewUser{Username: f.username, Email: f.email}, err)
	}
	cfg, _, err := f.cf.load(io)
	if err != nil {
		return err
	}
	if n.Password, err = userPassword(f, io); err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	if err := accounts.Precheck(n); err != nil {
		return refusal("create", n, err)
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	st, err := openMigrated(ctx, cfg, warnings(io))
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := newAccounts(st, keys, io).CreateUser(ctx, n)
	if err != nil {
		return refusal("create", n, err)
	}

	u := c.User
	fmt.Fprintf(io.Stdout, "created %s %s (id %d, %s)\n", u.Role, u.Username, u.ID, u.Email)
	if c.GeneratedPassword != "" {
		fmt.Fprintf(io.Stdout, "  password: %s\n", c.GeneratedPassword)
	}
	fmt.Fprintln(io.Stdout, "  the password must be changed at first sign-in")
	return nil
}

// userPasswd sets a new password, by the accounts rules, that the user
// must change at next sign-in.
func userPasswd(ctx context.Context, f userFlags, login string, io IO) error {
	cfg, st, err := openExisting(ctx, &f.cf, io)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	u, err := st.UserByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user passwd: no user %q", login)
	}
	if err != nil {
		return err
	}
	password, err := userPassword(f, io)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	done, err := newAccounts(st, keys, io).ResetPassword(ctx, accounts.Reset{User: u, Password: password, Note: "from the command line"})
	if err != nil {
		return refusal("passwd", accounts.NewUser{Username: u.Username, Email: u.Email}, err)
	}

	fmt.Fprintf(io.Stdout, "reset the password of %s (id %d); %d session(s) signed out\n", u.Username, u.ID, done.Revoked)
	if done.GeneratedPassword != "" {
		fmt.Fprintf(io.Stdout, "  password: %s\n", done.GeneratedPassword)
	}
	fmt.Fprintln(io.Stdout, "  the password must be changed at next sign-in")
	if done.KeyDiscarded {
		fmt.Fprintf(io.Stderr, "pcmt: warning: %s's own key was discarded: their encrypted data (watchlist, saved results, search history) is now unreadable\n", u.Username)
	}
	return nil
}

// userList prints every account as a table.
func userList(ctx context.Context, f userFlags, io IO) error {
	_, st, err := openExisting(ctx, &f.cf, io)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	w := tabwriter.NewWriter(io.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSERNAME\tE-MAIL\tROLE\tSTATUS\tCREATED\tLAST SIGN-IN")
	const pageSize = 500
	for offset := 0; ; offset += pageSize {
		page, err := st.ListUsers(ctx, "", pageSize, offset)
		if err != nil {
			return err
		}
		for _, u := range page.Users {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Email, u.Role,
				userStatus(&u), listTime(u.CreatedAt), listTime(u.LastSignInAt))
		}
		if len(page.Users) < pageSize {
			break
		}
	}
	return w.Flush()
}

func userStatus(u *store.User) string {
	var s []string
	if u.Disabled {
		s = append(s, "disabled")
	} else {
		s = append(s, "active")
	}
	if u.MustChangePassword {
		s = append(s, "must change password")
	}
	return strings.Join(s, ", ")
}

func listTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
