package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/blogd/blogd/store"
)

func copyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("copy", "Move every row of a SQLite database (ids, timestamps, links, password hashes, tokens) into a new, empty PostgreSQL\n"+
		"database, in one consistent pass: the source is read in one snapshot (it may go on serving; later writes are not copied),\n"+
		"the target written in one transaction, and each table's rows counted on both sides at the end.", stderr)
	var from, to string
	fs.StringVar(&from, "from", "", "the SQLite database file to copy (required)")
	fs.StringVar(&to, "to", "", "the PostgreSQL database to fill, postgres://user@host:port/db (required; migrated here, must be empty)")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	switch {
	case from == "" || to == "":
		return usageError{errors.New("--from and --to: give the SQLite file and the PostgreSQL URL")}
	case store.IsPostgresURL(from):
		return usageError{errors.New("--from: a SQLite database file, not a PostgreSQL URL")}
	case !store.IsPostgresURL(to):
		return usageError{errors.New("--to: a PostgreSQL URL, postgres://user@host:port/db")}
	}
	src, err := store.Open(ctx, from, store.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, to, store.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()

	progress, finish := newProgress(stderr, "copy", "rows")
	start := time.Now()
	counts, err := src.CopyTo(ctx, dst, progress)
	finish()
	if err != nil {
		return err
	}
	total := 0
	var parts []string
	for _, t := range store.CopiedTables() {
		parts = append(parts, fmt.Sprintf("%s=%d", t, counts[t]))
		total += counts[t]
	}
	fmt.Fprintf(stdout, "copied %s to %s: %s\n", from, store.Redact(to), strings.Join(parts, ", "))
	fmt.Fprintf(stdout, "%d rows in %.2f s; each table's rows counted on both sides: equal\n", total, time.Since(start).Seconds())
	return nil
}
