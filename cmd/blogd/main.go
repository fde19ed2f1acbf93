// Command blogd serves the blog API of the guide "SQLAlchemy Relationships in
// FastAPI" over an embedded SQLite database or PostgreSQL.
//
//	blogd serve     create or upgrade the database and serve the API
//	blogd migrate   apply the database migrations and exit
//	blogd seed      fill the database with a deterministic demo dataset
//	blogd user      create an account (the first admin among them), grant a
//	                role, set a password
//	blogd version   print the version
//
// Every flag can also be set with an environment variable: BLOGD_ and the
// flag's name in capitals, dashes as underscores (--db-max-open-conns is
// BLOGD_DB_MAX_OPEN_CONNS). A flag on the command line wins over the
// environment. Invalid configuration fails at once, with exit code 2.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/blogd/blogd/api"
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
		{"backup", "write a consistent copy of the SQLite database while it serves", backupCmd},
		{"copy", "move every row of a SQLite database into a new PostgreSQL one", copyCmd},
		{"seed", "fill the database with a deterministic demo dataset", seedCmd},
		{"user", "manage accounts: blogd user create | grant | password (--help for each)", userCmd},
		{"openapi", "print the API's OpenAPI document (3.1, or 3.0 with --3.0)", openapiCmd},
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

// flagSet is the flags of one command, and how to print them for --help.
type flagSet struct {
	*flag.FlagSet
	name string
	help func()
}

// newFlagSet returns the flag set of a command, whose --help lists each
// flag with its environment variable.
func newFlagSet(name, summary string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet("blogd "+name, flag.ContinueOnError)
	// The flag package prints its error and the whole usage on a mistake;
	// parseFlags says what was wrong in one line instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	help := func() {
		fmt.Fprintf(stderr, "usage: blogd %s [flags]\n\n%s\n\nflags (each also from its environment variable):\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stderr, "  --%s (%s)\n    \t%s", f.Name, envName(f.Name), f.Usage)
			if f.DefValue != "" {
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	return &flagSet{FlagSet: fs, name: name, help: help}
}

// envName is the environment variable of a flag: BLOGD_DB_MAX_OPEN_CONNS for
// db-max-open-conns.
func envName(flagName string) string {
	return "BLOGD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then fills each flag not given on the command line
// from its environment variable. --help prints the flags and is not an
// error (help is true).
func parseFlags(fs *flagSet, args []string, getenv func(string) string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return true, nil
		}
		return false, usageError{fmt.Errorf("%s; 'blogd %s --help' lists the flags", flagMistake(fs, err), fs.name)}
	}
	if fs.NArg() > 0 {
		return false, usageError{fmt.Errorf("unexpected argument %q; 'blogd %s --help' lists the flags", fs.Arg(0), fs.name)}
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
				errs = append(errs, fmt.Errorf("%s=%q: not a valid value for --%s (default %q)", envName(f.Name), v, f.Name, f.DefValue))
			}
		}
	})
	if len(errs) > 0 {
		return false, usageError{errors.Join(errs...)}
	}
	return false, nil
}

// flagMistakeRe matches the flag package's words for a bad value.
var flagMistakeRe = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for flag -([\w-]+)`)

// flagMistake words a parse error of the flag package for a person: the
// flag as it is typed (--name), and an example of a good value.
func flagMistake(fs *flagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimPrefix(name, "-")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "--" + strings.TrimPrefix(name, "-") + " needs a value"
	}
	if m := flagMistakeRe.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[2]); f != nil {
			return fmt.Sprintf("%s is not a valid value for --%s (default %q)", m[1], f.Name, f.DefValue)
		}
	}
	return msg
}

// listFlag is a flag that may be given many times, or once with values
// separated by commas (as its environment variable is).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated values of v.
func (l *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// dbConfig is the database flags shared by the commands.
type dbConfig struct {
	dsn             string
	maxOpenConns    int
	maxIdleConns    int
	connMaxLifetime time.Duration
	replicas        []string
	replicaMaxLag   time.Duration
	embedCacheMiB   int
}

func addDBFlags(fs *flagSet) *dbConfig {
	c := &dbConfig{}
	fs.StringVar(&c.dsn, "db", "blogd.db", "SQLite database file, or PostgreSQL URL postgres://user@host:port/db")
	fs.IntVar(&c.maxOpenConns, "db-max-open-conns", 0, "most open database connections; 0: 2 per CPU, at least 4")
	fs.IntVar(&c.maxIdleConns, "db-max-idle-conns", 0, "most idle database connections kept; 0: as many as open")
	fs.DurationVar(&c.connMaxLifetime, "db-conn-max-lifetime", 0, "close database connections older than this, e.g. 30m; 0: never")
	fs.IntVar(&c.embedCacheMiB, "embed-cache-mib", store.DefaultEmbedCacheBytes>>20, "MiB of embedded rows (include) kept between reads on SQLite, served while their tables are unchanged; 0: none")
	return c
}

// addReplicaFlags adds the flags of PostgreSQL read replicas to c.
func addReplicaFlags(fs *flagSet, c *dbConfig) {
	fs.Func("db-replica", "a PostgreSQL streaming standby of --db that serves reads, postgres://...; repeat the flag for more (the environment variable: comma-separated)",
		func(v string) error {
			for _, u := range strings.Split(v, ",") {
				if u = strings.TrimSpace(u); u != "" {
					c.replicas = append(c.replicas, u)
				}
			}
			return nil
		})
	fs.DurationVar(&c.replicaMaxLag, "replica-max-lag", time.Second, "reads without a bookmark go to a replica at most this far behind the primary, else to the primary")
}

func (c *dbConfig) check() error {
	if c.dsn == "" {
		return usageError{errors.New("--db must not be empty")}
	}
	if strings.Contains(c.dsn, "://") && !store.IsPostgresURL(c.dsn) {
		return usageError{fmt.Errorf("--db %s: give a SQLite file path or a postgres:// URL", store.Redact(c.dsn))}
	}
	if c.maxOpenConns < 0 || c.maxIdleConns < 0 || c.connMaxLifetime < 0 || c.embedCacheMiB < 0 {
		return usageError{errors.New("database pool settings must not be negative")}
	}
	for _, r := range c.replicas {
		if !store.IsPostgresURL(c.dsn) || !store.IsPostgresURL(r) {
			return usageError{fmt.Errorf("--db-replica %s: replicas are PostgreSQL standbys, postgres:// URLs, of a PostgreSQL --db", store.Redact(r))}
		}
	}
	if c.replicaMaxLag < 0 {
		return usageError{errors.New("--replica-max-lag must not be negative")}
	}
	return nil
}

func (c *dbConfig) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, c.dsn, store.Options{
		MaxOpenConns:    c.maxOpenConns,
		MaxIdleConns:    c.maxIdleConns,
		ConnMaxLifetime: c.connMaxLifetime,
		Replicas:        c.replicas,
		ReplicaMaxLag:   c.replicaMaxLag,
		EmbedCacheBytes: c.embedCacheBytes(),
	})
}

// embedCacheBytes is --embed-cache-mib as store.Options.EmbedCacheBytes,
// where 0 asks for the default and a negative bound for none.
func (c *dbConfig) embedCacheBytes() int {
	if c.embedCacheMiB == 0 {
		return -1
	}
	return c.embedCacheMiB << 20
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
	m := st.Migrations()
	for _, name := range m.Applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	if len(m.Applied) == 0 {
		fmt.Fprintf(stdout, "%s is up to date: schema version %d\n", store.Redact(db.dsn), m.Version)
	} else {
		fmt.Fprintf(stdout, "%s is at schema version %d\n", store.Redact(db.dsn), m.Version)
	}
	return st.Close()
}

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "Write a consistent copy of the SQLite database to a new file, while blogd serves reads and writes.\nThe copy holds every write answered before the backup began; it is checked (integrity_check) before this command succeeds.", stderr)
	db := addDBFlags(fs)
	var to string
	fs.StringVar(&to, "to", "", "the new file to write the copy to (required; must not exist)")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if to == "" {
		return usageError{errors.New("--to: give the file to write the copy to")}
	}
	if err := db.check(); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s in %s; integrity_check: ok\n", store.Redact(db.dsn), to, time.Since(start).Round(time.Millisecond))
	return st.Close()
}

func openapiCmd(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("openapi", "Print the API's OpenAPI document, as the server serves it at /openapi.json.", stderr)
	var v30, yaml bool
	var out string
	fs.BoolVar(&v30, "3.0", false, "print the document downgraded to OpenAPI 3.0.3 (/openapi-3.0.json), for tools that read only 3.0")
	fs.BoolVar(&yaml, "yaml", false, "print YAML instead of JSON")
	fs.StringVar(&out, "out", "", "write the document to this file instead of standard output")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	path := "/openapi"
	if v30 {
		path += "-3.0"
	}
	if yaml {
		path += ".yaml"
	} else {
		path += ".json"
	}
	doc, err := api.Document(path, version())
	if err != nil {
		return err
	}
	if !yaml { // indented, for people and diffs
		var b bytes.Buffer
		if err := json.Indent(&b, doc, "", "  "); err != nil {
			return fmt.Errorf("openapi: %w", err)
		}
		doc = append(b.Bytes(), '\n')
	}
	if out != "" {
		return os.WriteFile(out, doc, 0o644)
	}
	_, err = stdout.Write(doc)
	return err
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

// version is the module version the binary was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
