package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/password"
	"github.com/blogd/blogd/store"
	"golang.org/x/term"
)

// userUsage lists the subcommands of blogd user.
const userUsage = `usage: blogd user <subcommand> [flags]

  create    --username U --email E [--admin | --moderator]   create an account
  grant     --username U --role R                            give an account a role (admin, moderator...)
  password  --username U                                     set an account's password, ending its tokens

The password comes from BLOGD_PASSWORD, or from a prompt on a terminal.
Run 'blogd user <subcommand> --help' for the flags.`

// userCmd manages accounts from the command line: the first admin comes
// from here, never from an unauthenticated request, and so does the way
// back when every admin has lost their role or their password.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "create":
		return userCreateCmd(ctx, args[1:], getenv, stdout, stderr)
	case "grant":
		return userGrantCmd(ctx, args[1:], getenv, stdout, stderr)
	case "password":
		return userPasswordCmd(ctx, args[1:], getenv, stdout, stderr)
	case "--help", "-h", "help":
		fmt.Fprintln(stdout, userUsage)
		return nil
	}
	fmt.Fprintln(stderr, userUsage)
	if sub == "" {
		return usageError{errors.New("blogd user: no subcommand given")}
	}
	return usageError{fmt.Errorf("blogd user: unknown subcommand %q", sub)}
}

func userCreateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user create", "Create an account. The password comes from BLOGD_PASSWORD, or from a prompt on a terminal.", stderr)
	db := addDBFlags(fs)
	var in blogd.UserCreate
	var admin, moderator bool
	fs.StringVar(&in.Username, "username", "", "username (required)")
	fs.StringVar(&in.Email, "email", "", "email (required)")
	fs.BoolVar(&admin, "admin", false, "give the account the admin role, creating the role if needed")
	fs.BoolVar(&moderator, "moderator", false, "give the account the moderator role, creating the role if needed")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	if in.Username == "" || in.Email == "" {
		return usageError{errors.New("--username and --email are required")}
	}
	if admin && moderator {
		return usageError{errors.New("choose --admin or --moderator, not both (an admin may do everything)")}
	}
	pw, err := readPassword(getenv, stderr)
	if err != nil {
		return err
	}
	in.Password = pw
	// The API's rules, so that the command line cannot make an account
	// that the API would refuse.
	if err := api.ValidateBody(in); err != nil {
		return usageError{err}
	}
	hash, err := password.Hash(pw, password.DefaultCost)
	if err != nil {
		return err
	}
	role := ""
	switch {
	case admin:
		role = blogd.RoleAdmin
	case moderator:
		role = blogd.RoleModerator
	}
	return withStore(ctx, db, func(st *store.Store) error {
		u, err := st.CreateUserWithRole(ctx, in, hash, role)
		if err != nil {
			return accountError("create the account", err)
		}
		fmt.Fprintf(stdout, "created user %d %q", u.ID, u.Username)
		if role != "" {
			fmt.Fprintf(stdout, " with role %s", role)
		}
		fmt.Fprintln(stdout)
		return nil
	})
}

func userGrantCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user grant", "Give an account a role, creating the role if needed: how an operator restores an admin.", stderr)
	db := addDBFlags(fs)
	var username, role string
	fs.StringVar(&username, "username", "", "the account's username, in any case (required)")
	fs.StringVar(&role, "role", "", "the role's name, e.g. admin or moderator (required)")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	if username == "" || role == "" {
		return usageError{errors.New("--username and --role are required")}
	}
	if err := api.ValidateBody(blogd.RoleCreate{Name: role}); err != nil {
		return usageError{err}
	}
	return withStore(ctx, db, func(st *store.Store) error {
		u, err := st.GrantRole(ctx, username, role)
		if err != nil {
			return accountError("grant the role", err)
		}
		fmt.Fprintf(stdout, "user %d %q has role %s\n", u.ID, u.Username, role)
		return nil
	})
}

func userPasswordCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user password", "Set an account's password and end every token of it. The password comes from BLOGD_PASSWORD, or from a prompt on a terminal.", stderr)
	db := addDBFlags(fs)
	var username string
	fs.StringVar(&username, "username", "", "the account's username, in any case (required)")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	if username == "" {
		return usageError{errors.New("--username is required")}
	}
	pw, err := readPassword(getenv, stderr)
	if err != nil {
		return err
	}
	if err := api.ValidateBody(blogd.UserUpdate{Password: &pw}); err != nil {
		return usageError{err}
	}
	hash, err := password.Hash(pw, password.DefaultCost)
	if err != nil {
		return err
	}
	return withStore(ctx, db, func(st *store.Store) error {
		u, err := st.SetPassword(ctx, username, hash)
		if err != nil {
			return accountError("set the password", err)
		}
		fmt.Fprintf(stdout, "set the password of user %d %q; its tokens are ended\n", u.ID, u.Username)
		return nil
	})
}

// withStore opens the database, runs fn and closes it.
func withStore(ctx context.Context, db *dbConfig, fn func(st *store.Store) error) error {
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// accountError words a failed account change: a domain error (a taken
// name, an unknown user) by its sentence alone, as the API would.
func accountError(doing string, err error) error {
	if blogd.ErrorKind(err) != blogd.KindInternal {
		return fmt.Errorf("cannot %s: %s", doing, blogd.ErrorDetail(err))
	}
	return err
}

// readPassword takes the password from BLOGD_PASSWORD or, on a terminal,
// from a prompt that does not echo it.
func readPassword(getenv func(string) string, stderr io.Writer) (string, error) {
	if p := getenv("BLOGD_PASSWORD"); p != "" {
		return p, nil
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", usageError{errors.New("set BLOGD_PASSWORD, or run on a terminal to be asked for the password")}
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	p, err := ask("Password: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	again, err := ask("Password again: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if p != again {
		return "", usageError{errors.New("the passwords differ")}
	}
	return strings.TrimRight(p, "\r\n"), nil
}
