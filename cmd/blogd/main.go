// Command blogd serves the blog API of the guide "SQLAlchemy Relationships in
// FastAPI" over an embedded SQLite database.
//
//	blogd serve   [--addr 127.0.0.1:8000] [--db blogd.db]   create or upgrade the database and serve
//	blogd migrate [--db blogd.db]                           apply migrations and exit
//	blogd version                                           print the version
//
// Every flag can also be set with an environment variable: BLOGD_ADDR,
// BLOGD_DB. A flag given on the command line wins over the environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/store"
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

const usage = `usage: blogd <command> [flags]

commands:
  serve     create or upgrade the database and serve the API
  migrate   apply the database migrations and exit
  version   print the version

Run 'blogd <command> --help' for the flags of a command.`

// run is the whole program, with its environment passed in so that tests can
// run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, getenv, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "blogd", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return usageError{fmt.Errorf("unknown command %q", cmd)}
	}
}

// envDefault returns the environment variable's value, or def when unset.
func envDefault(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// parse parses a command's flags; --help prints them and is not an error.
func parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{err}
	}
	if fs.NArg() > 0 {
		return false, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return false, nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("blogd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	db := fs.String("db", envDefault(getenv, "BLOGD_DB", "blogd.db"), "SQLite database file (env BLOGD_DB)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	st, err := store.OpenSQLite(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	return st.Close()
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	addr := fs.String("addr", envDefault(getenv, "BLOGD_ADDR", "127.0.0.1:8000"), "listen address (env BLOGD_ADDR)")
	db := fs.String("db", envDefault(getenv, "BLOGD_DB", "blogd.db"), "SQLite database file (env BLOGD_DB)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	st, err := store.OpenSQLite(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError{fmt.Errorf("listen: %w", err)}
	}
	srv := &http.Server{
		Handler:           api.NewHandler(api.Config{Store: st, Logger: logger, Version: version()}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", *db, "docs", "http://"+ln.Addr().String()+"/docs")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// version is the module version the binary was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
