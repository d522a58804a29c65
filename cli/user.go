package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"pcmt/account"
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

// openExisting opens the database of the configuration, refusing to create
// one: a command that reads accounts has nothing to do on a new file, and a
// mistyped path should not leave an empty database behind.
func openExisting(ctx context.Context, f *configFlags, io IO) (config.Config, *store.Store, error) {
	cfg, _, err := f.load(io)
	if err != nil {
		return cfg, nil, err
	}
	if _, err := os.Stat(cfg.Database.Path); errors.Is(err, os.ErrNotExist) {
		return cfg, nil, fmt.Errorf("database %s does not exist (pcmt serve or pcmt migrate up creates it)", cfg.Database.Path)
	}
	st, err := openStore(ctx, cfg)
	return cfg, st, err
}

// userPassword is the password given on stdin, or a generated one to print.
func userPassword(f userFlags, io IO) (password string, generated bool, err error) {
	if f.passwordStdin {
		password, err = readPassword(io.Stdin)
		return password, false, err
	}
	return account.GeneratePassword(), true, nil
}

// checkPassword applies the password policy to a password someone chose;
// a generated one is random and needs no check.
func checkPassword(generated bool, password, username, email string) string {
	if generated {
		return ""
	}
	return account.NewPolicy().Check(password, username, email)
}

// userCreate adds an account from the command line. Like every account made
// by someone else, it must change its password at first sign-in, which is
// when its own key is made.
func userCreate(ctx context.Context, f userFlags, io IO) error {
	email := account.NormalizeEmail(f.email)
	if !account.ValidUsername(f.username) {
		return usagef("pcmt user create: --username %q: use 3 to 32 letters, digits, dots, dashes or underscores", f.username)
	}
	if !account.ValidEmail(email) {
		return usagef("pcmt user create: --email %q: not an e-mail address like name@example.org", f.email)
	}
	cfg, _, err := f.cf.load(io)
	if err != nil {
		return err
	}
	password, generated, err := userPassword(f, io)
	if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	if msg := checkPassword(generated, password, f.username, email); msg != "" {
		return fmt.Errorf("user create: password refused: %s", msg)
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	hash, err := account.NewHasher().Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	u := &store.User{Username: f.username, Email: email, PasswordHash: hash, Role: store.RoleUser, MustChangePassword: true}
	if f.admin {
		u.Role = store.RoleAdmin
	}
	if err := st.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("user create: %w", takenError(err, u))
	}
	if err := st.Auditor(keys.Audit).Append(ctx, &store.Activity{
		UserID: u.ID, Event: store.EventUserCreated, Detail: "from the command line, role " + string(u.Role),
	}); err != nil {
		return err
	}

	fmt.Fprintf(io.Stdout, "created %s %s (id %d, %s)\n", u.Role, u.Username, u.ID, u.Email)
	if generated {
		fmt.Fprintf(io.Stdout, "  password: %s\n", password)
	}
	fmt.Fprintln(io.Stdout, "  the password must be changed at first sign-in")
	return nil
}

// takenError names the value that is already in use.
func takenError(err error, u *store.User) error {
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		return fmt.Errorf("an account with e-mail %s exists", u.Email)
	case errors.Is(err, store.ErrUsernameTaken):
		return fmt.Errorf("the username %s is taken", u.Username)
	}
	return err
}

// userPasswd sets a new password that the user must change at next sign-in.
// Their own key is discarded (nobody else can unwrap it), so what was
// encrypted to it is lost; every session of theirs ends.
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
	password, generated, err := userPassword(f, io)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	if msg := checkPassword(generated, password, u.Username, u.Email); msg != "" {
		return fmt.Errorf("user passwd: password refused: %s", msg)
	}
	keys, err := cfg.LoadKeys()
	if err != nil {
		return err
	}
	hash, err := account.NewHasher().Hash(ctx, account.NormalizePassword(password))
	if err != nil {
		return err
	}
	revoked, err := st.ChangePassword(ctx, u.ID, store.PasswordChange{Hash: hash, MustChangePassword: true})
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("from the command line; %d session(s) signed out", revoked)
	if u.HasVault() {
		detail += "; own key discarded"
	}
	if err := st.Auditor(keys.Audit).Append(ctx, &store.Activity{
		UserID: u.ID, Event: store.EventPasswordReset, Detail: detail,
	}); err != nil {
		return err
	}

	fmt.Fprintf(io.Stdout, "reset the password of %s (id %d); %d session(s) signed out\n", u.Username, u.ID, revoked)
	if generated {
		fmt.Fprintf(io.Stdout, "  password: %s\n", password)
	}
	fmt.Fprintln(io.Stdout, "  the password must be changed at next sign-in")
	if u.HasVault() {
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
