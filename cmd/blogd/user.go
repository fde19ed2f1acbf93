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
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// userCmd manages accounts from the command line: the first admin comes
// from here, never from an unauthenticated request.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(stdout, "usage: blogd user create --username U --email E [--admin] [--moderator]")
			return nil
		}
		return usageError{errors.New("usage: blogd user create --username U --email E [--admin] [--moderator]")}
	}
	fs := newFlagSet("user create", "Create an account. The password comes from BLOGD_PASSWORD, or from a prompt on a terminal.", stderr)
	db := addDBFlags(fs)
	var in blogd.UserCreate
	var admin, moderator bool
	fs.StringVar(&in.Username, "username", "", "username (required)")
	fs.StringVar(&in.Email, "email", "", "email (required)")
	fs.BoolVar(&admin, "admin", false, "give the account the admin role, creating the role if needed")
	fs.BoolVar(&moderator, "moderator", false, "give the account the moderator role, creating the role if needed")
	if help, err := parseFlags(fs, args[1:], getenv); help || err != nil {
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
	password, err := readPassword(getenv, stderr)
	if err != nil {
		return err
	}
	if n := len(password); n < 8 || n > 256 {
		return usageError{errors.New("the password must have 8 to 256 characters")}
	}
	hash, err := api.HashPassword(password, bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	role := ""
	switch {
	case admin:
		role = blogd.RoleAdmin
	case moderator:
		role = blogd.RoleModerator
	}
	u, err := st.CreateUserWithRole(ctx, in, hash, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %d %q", u.ID, u.Username)
	if role != "" {
		fmt.Fprintf(stdout, " with role %s", role)
	}
	fmt.Fprintln(stdout)
	return nil
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
