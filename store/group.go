package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// maxGroup bounds how many write transactions share one commit.
const maxGroup = 64

// errClosed is the answer to a write after Close.
var errClosed = errors.New("store closed")

// committer is SQLite's group commit. SQLite has one writer, and with
// synchronous=FULL every COMMIT waits for an fsync of the WAL, which bounds
// writes at one fsync each. The committer is a goroutine that runs the
// requests' write transactions: it takes those queued meanwhile (up to
// maxGroup) and runs them all inside one BEGIN IMMEDIATE ... COMMIT, each
// between a SAVEPOINT and its RELEASE. A request whose work fails is rolled
// back to its savepoint, alone, and answered with its error at once; the
// others are acknowledged only after the shared COMMIT has returned, so an
// acknowledged write is on disk as before, and a failed COMMIT fails every
// request of the group. One transaction waiting alone runs with no
// savepoint, exactly as without the committer.
//
// The committer takes the writer connection for each group, as any write
// transaction does (pool.begin), so a bulk load (Store.InBatch) runs
// between two groups.
//
// A group's work runs detached from the requests' contexts (conn.detach):
// interrupting one request's statement could roll back the whole shared
// transaction. A request that is gone before its turn is skipped.
type committer struct {
	p    *pool
	d    dialect
	jobs chan *writeJob // unbuffered: a send succeeds only when the committer takes it
	quit chan struct{}
	done chan struct{}
}

// writeJob is one request's write transaction, waiting for the committer.
type writeJob struct {
	ctx    context.Context
	fn     func(c conn) error
	result chan error // buffered, 1
}

func newCommitter(p *pool, d dialect) *committer {
	g := &committer{p: p, d: d, jobs: make(chan *writeJob), quit: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// run queues fn and waits for its outcome: nil once the transaction that ran
// it has committed.
func (g *committer) run(ctx context.Context, fn func(c conn) error) error {
	j := &writeJob{ctx: ctx, fn: fn, result: make(chan error, 1)}
	select {
	case g.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return errClosed
	}
	// Once taken, fn runs (or is skipped) promptly; wait for it even if ctx
	// ends meanwhile, so that fn never writes the caller's results after
	// the caller has returned.
	return <-j.result
}

// stop ends the committer after the group in progress, if any.
func (g *committer) stop() {
	close(g.quit)
	<-g.done
}

func (g *committer) loop() {
	defer close(g.done)
	group := make([]*writeJob, 0, maxGroup)
	for {
		select {
		case j := <-g.jobs:
			group = append(group[:0], j)
		case <-g.quit:
			return
		}
		// Take whatever else is waiting, without waiting for more.
	more:
		for len(group) < maxGroup {
			select {
			case j := <-g.jobs:
				group = append(group, j)
			default:
				break more
			}
		}
		g.commit(group)
		clear(group) // let the finished jobs go
	}
}

// commit runs a group of write transactions and answers each.
func (g *committer) commit(group []*writeJob) {
	live := make([]*writeJob, 0, len(group))
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.result <- err
			continue
		}
		live = append(live, j)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].result <- g.alone(live[0])
		return
	}

	ctx := context.Background()
	tx, release, err := g.p.begin(ctx)
	if err != nil {
		err = fmt.Errorf("begin: %w", g.d.wrap(err))
		for _, j := range live {
			j.result <- err
		}
		return
	}
	c := conn{pool: g.p, tx: tx, d: g.d, detach: true}
	ran := make([]*writeJob, 0, len(live)) // succeeded, waiting for COMMIT
	for i, j := range live {
		outcome, err := g.savepoint(ctx, c, j)
		switch outcome {
		case jobDone:
			ran = append(ran, j)
			continue
		case jobFailed:
			continue // answered already
		}
		// The shared transaction is unusable (SQLite rolled it back on a
		// severe error). Nothing of it is committed: run the others again,
		// each alone; their work only sets results, so running it twice is
		// harmless.
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, rbErr)
		}
		release()
		if outcome == jobBroke {
			j.result <- err
		} else {
			ran = append(ran, j)
		}
		for _, k := range append(ran, live[i+1:]...) {
			k.result <- g.alone(k)
		}
		return
	}
	err = tx.Commit()
	release()
	if err != nil {
		err = fmt.Errorf("commit: %w", g.d.wrap(err))
	}
	for _, j := range ran {
		j.result <- err
	}
}

// jobOutcome is what became of one job in the shared transaction.
type jobOutcome int

const (
	// jobDone: the work succeeded and awaits the shared COMMIT.
	jobDone jobOutcome = iota
	// jobFailed: the work failed and was rolled back to its savepoint; the
	// job has been answered with its error, and the shared transaction
	// goes on.
	jobFailed
	// jobRetry: the shared transaction broke around the work (at SAVEPOINT
	// or RELEASE), so the work must run again, alone.
	jobRetry
	// jobBroke: the work failed, and the shared transaction broke while
	// undoing it; the job is to be answered with the error.
	jobBroke
)

// savepoint runs j's work inside the shared transaction between a SAVEPOINT
// and its RELEASE, rolling back to the savepoint when the work fails. The
// error comes with jobRetry and jobBroke: a failure of the shared
// transaction (with jobBroke, the work's own error too).
func (g *committer) savepoint(ctx context.Context, c conn, j *writeJob) (jobOutcome, error) {
	if _, err := c.exec(ctx, "SAVEPOINT request"); err != nil {
		return jobRetry, fmt.Errorf("savepoint: %w", err)
	}
	if fnErr := j.fn(c); fnErr != nil {
		if _, err := c.exec(ctx, "ROLLBACK TO request"); err != nil {
			return jobBroke, errors.Join(fnErr, fmt.Errorf("rollback to savepoint: %w", err))
		}
		if _, err := c.exec(ctx, "RELEASE request"); err != nil {
			return jobBroke, errors.Join(fnErr, fmt.Errorf("release savepoint: %w", err))
		}
		j.result <- fnErr
		return jobFailed, nil
	}
	if _, err := c.exec(ctx, "RELEASE request"); err != nil {
		return jobRetry, fmt.Errorf("release savepoint: %w", err)
	}
	return jobDone, nil
}

// alone runs j in a transaction of its own.
func (g *committer) alone(j *writeJob) error {
	return runTx(context.Background(), g.p, g.d, true, j.fn)
}
