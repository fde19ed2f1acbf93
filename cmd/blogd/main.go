// Command blogd serves the blog API of the guide "SQLAlchemy Relationships in
// FastAPI" over an embedded SQLite database or PostgreSQL.
//
//	blogd serve     create or upgrade the database and serve the API
//	blogd migrate   apply the database migrations and exit
//	blogd seed      fill the database with a deterministic demo dataset
//	blogd user      create an account, the first admin among them
//	blogd version   print the version
//
// Every flag can also be set with an environment variable: BLOGD_ and the
// flag's name in capitals, dashes as underscores (--db-max-open-conns is
// BLOGD_DB_MAX_OPEN_CONNS). A flag on the command line wins over the
// environment. Invalid configuration fails at once, with exit code 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/blogd/blogd/store"
	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "blogd:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line or configuration (exit 2).
type usageError struct{ error }

// command is one subcommand of blogd.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "create or upgrade the database and serve the API", serveCmd},
		{"migrate", "apply the database migrations and exit", migrateCmd},
		{"seed", "fill the database with a deterministic demo dataset", seedCmd},
		{"user", "create an account: blogd user create --username U --email E [--admin]", userCmd},
		{"version", "print the version", versionCmd},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: blogd <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'blogd <command> --help' for the flags of a command.")
}

// run is the whole program, with its environment passed in so that tests can
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	case "--version":
		return versionCmd(ctx, nil, getenv, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	usage(stderr)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

// newFlagSet returns the flag set of a command, whose --help lists each
// flag with its environment variable.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("blogd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: blogd %s [flags]\n\n%s\n\nflags (each also from its environment variable):\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stderr, "  --%s (%s)\n    \t%s", f.Name, envName(f.Name), f.Usage)
			if f.DefValue != "" {
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	return fs
}

// envName is the environment variable of a flag: BLOGD_DB_MAX_OPEN_CONNS for
// db-max-open-conns.
func envName(flagName string) string {
	return "BLOGD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then fills each flag not given on the command line
// from its environment variable. --help prints the flags and is not an
// error (help is true).
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{err}
	}
	if fs.NArg() > 0 {
		return false, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", envName(f.Name), v, err))
			}
		}
	})
	if len(errs) > 0 {
		return false, usageError{errors.Join(errs...)}
	}
	return false, nil
}

// dbConfig is the database flags shared by the commands.
type dbConfig struct {
	dsn             string
	maxOpenConns    int
	maxIdleConns    int
	connMaxLifetime time.Duration
}

func addDBFlags(fs *flag.FlagSet) *dbConfig {
	c := &dbConfig{}
	fs.StringVar(&c.dsn, "db", "blogd.db", "SQLite database file, or PostgreSQL URL postgres://user@host:port/db")
	fs.IntVar(&c.maxOpenConns, "db-max-open-conns", 0, "most open database connections; 0: 2 per CPU, at least 4")
	fs.IntVar(&c.maxIdleConns, "db-max-idle-conns", 0, "most idle database connections kept; 0: as many as open")
	fs.DurationVar(&c.connMaxLifetime, "db-conn-max-lifetime", 0, "close database connections older than this, e.g. 30m; 0: never")
	return c
}

func (c *dbConfig) check() error {
	if c.dsn == "" {
		return usageError{errors.New("--db must not be empty")}
	}
	if c.maxOpenConns < 0 || c.maxIdleConns < 0 || c.connMaxLifetime < 0 {
		return usageError{errors.New("database pool settings must not be negative")}
	}
	return nil
}

func (c *dbConfig) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, c.dsn, store.Options{
		MaxOpenConns:    c.maxOpenConns,
		MaxIdleConns:    c.maxIdleConns,
		ConnMaxLifetime: c.connMaxLifetime,
	})
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Apply the database migrations and exit.", stderr)
	db := addDBFlags(fs)
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	return st.Close()
}

func versionCmd(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Print the version.", stderr)
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	fmt.Fprintln(stdout, "blogd", version())
	return nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger returns the logger for format: text, json, or auto (text when
// term is a terminal, JSON otherwise). The lines go to out (a buffer in
// front of term).
func newLogger(term, out io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "auto":
		if isTerminal(term) {
			return slog.New(slog.NewTextHandler(out, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format %q: want auto, text or json", format)}
}

// redact hides the password of a database URL, for logs.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// version is the module version the binary was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
