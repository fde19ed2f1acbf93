package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/seed"
	"github.com/schollz/progressbar/v3"
)

func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "Fill the database with a deterministic demo dataset, the load harness's default by default.", stderr)
	db := addDBFlags(fs)
	spec := seed.DefaultSpec()
	fs.Uint64Var(&spec.Seed, "seed", spec.Seed, "random seed: the same seed gives the same rows")
	fs.IntVar(&spec.Users, "users", spec.Users, "users, each with a profile and roles")
	fs.IntVar(&spec.PostsPerUser, "posts-per-user", spec.PostsPerUser, "posts of each user")
	fs.IntVar(&spec.Categories, "categories", spec.Categories, "categories")
	fs.IntVar(&spec.CommentsPerPost, "comments-per-post", spec.CommentsPerPost, "comments on each post")
	fs.Float64Var(&spec.ReplyRatio, "reply-ratio", spec.ReplyRatio, "chance that a comment replies to an earlier one")
	fs.IntVar(&spec.Roles, "roles", spec.Roles, "roles")
	fs.StringVar(&spec.Prefix, "prefix", spec.Prefix, "prefix of unique names, to seed a database that holds a dataset already")
	fs.IntVar(&spec.BatchSize, "batch-size", spec.BatchSize, "rows per transaction")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	if err := spec.Validate(); err != nil {
		return usageError{err}
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	progress, finish := newProgress(stderr, "seed", "users, posts and comments")
	start := time.Now()
	counts, err := seed.Run(ctx, st, spec, progress)
	finish()
	if blogd.ErrorKind(err) == blogd.KindConflict {
		return fmt.Errorf("the database already holds rows with the seed's names (%s): seed an empty database, "+
			"or give --prefix to add a dataset beside them", blogd.ErrorDetail(err))
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "seeded: %s\n", counts)
	fmt.Fprintf(stdout, "%d rows in %.2f s (%.0f rows/s)\n", counts.Total(), elapsed.Seconds(), float64(counts.Total())/elapsed.Seconds())
	return nil
}

// newProgress reports the progress of a long command on stderr: a
// progress bar on a terminal, else a line per step of about a tenth of the
// work, for logs; finish ends it.
func newProgress(stderr io.Writer, name, unit string) (progress func(done, total int), finish func()) {
	if !isTerminal(stderr) {
		next := 0
		return func(done, total int) {
			if done >= next {
				fmt.Fprintf(stderr, "%s: %d/%d %s (%d%%)\n", name, done, total, unit, 100*done/max(1, total))
				next = min(done+max(1, total/10), total)
				if done == total {
					next = total + 1 // said once
				}
			}
		}, func() {}
	}
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(name),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
		progressbar.OptionClearOnFinish())
	return func(done, total int) {
		bar.ChangeMax(total)
		bar.Set(done)
	}, func() { bar.Finish() }
}
