// Package store is blogd's data layer: explicit SQL over database/sql, one
// file per resource.
//
// # Relationships and how they are loaded
//
// Each relationship of the guide is read by one function, declared in the
// file of the resource that owns it. None issues one query per related row:
//
//	relationship               kind                 loaded by                    strategy
//	post.author                many-to-one          Store.Post, Store.Posts      joined (JOIN users)
//	post.categories            many-to-many (assoc) loadCategoryRefs             batched (one query per page: a key range or an id list)
//	post.categories linked_at  association data     Store.PostCategories         joined through post_categories
//	user.posts                 one-to-many          Store.Posts (filter)         one query
//	user.profile               one-to-one           Store.Profile                joined (LEFT JOIN profiles)
//	user.roles / role.users    many-to-many         Store.UserRoles, RoleUsers   joined through user_roles
//	comment.replies            self-referential     Store.CommentTree            one recursive CTE for a page of threads
//	users by category          explicit join        Store.Users (filter)         DISTINCT authors off post_categories
//	                                                                             (category_id, user_id) index, JOIN users
//
// The relations a read can embed on request (include) are one table,
// relations.go: each loads for a whole batch of parents in one statement
// (Store.Embed), a window function limiting the rows per parent.
//
// Deletes cascade in the database (ON DELETE CASCADE on every foreign key),
// so a delete is one statement and cannot leave orphans behind.
//
// # Connections
//
// On SQLite the store keeps two pools on one file: a single writer
// connection whose transactions start with BEGIN IMMEDIATE, so concurrent
// writers queue in Go instead of failing with "database is locked", and a pool
// of read-only connections that WAL lets run beside the writer. Every query
// text is prepared once per connection and reused. Write transactions that
// arrive together share one commit, each in a savepoint of its own, and are
// acknowledged only once that commit is on disk (group.go).
//
// On PostgreSQL one pool serves reads and writes; the server runs concurrent
// writers itself, and a transaction that loses a deadlock is run again. The
// same query texts serve both databases: dialect.go rewrites them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Store is the data layer. It is safe for concurrent use.
type Store struct {
	read  *pool      // readers
	write *pool      // the writer
	group *committer // SQLite: batches concurrent write transactions; nil on PostgreSQL
	// searches keeps the rankings of searches (SQLite; nil on PostgreSQL).
	searches *searchCache
	// embeds keeps the rows that relations embedded (SQLite; nil on
	// PostgreSQL or when turned off).
	embeds *embedCache
	// replicas serve reads (PostgreSQL with replicas; else nil).
	replicas *replicaSet
	d        dialect
	// detachReads runs reads whatever happens to the caller's context. For
	// a query on a cancellable context, database/sql starts a goroutine
	// that waits for the cancellation (Rows.awaitDone); on SQLite that cost
	// more than the point read itself, while every
	// read is index-bounded and done in micro- to milliseconds, so
	// stopping one early saves nothing. PostgreSQL keeps cancellation: a
	// cancelled request there also stops work on the server.
	detachReads bool
	now         func() time.Time
	migrated    Migrations

	closeOnce sync.Once
	closeErr  error
}

// Close closes both pools. Closing twice is harmless.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.group != nil {
			s.group.stop()
		}
		if s.replicas != nil {
			s.replicas.close()
		}
		s.closeErr = s.write.close()
		if s.read != s.write {
			s.closeErr = errors.Join(s.closeErr, s.read.close())
		}
	})
	return s.closeErr
}

// Migrations reports what opening the store did to the schema.
func (s *Store) Migrations() Migrations { return s.migrated }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.read.db.PingContext(ctx)
}

// ReadDB exposes the read pool, for tests that inspect the database directly.
func (s *Store) ReadDB() *sql.DB { return s.read.db }

// Rebind rewrites a query written with ? placeholders for the store's
// database, for tests that query ReadDB.
func (s *Store) Rebind(query string) string { return s.d.rebind(query) }

// Pools returns the store's connection pools by name, for their metrics:
// "read" and "write" on SQLite, "postgres" on PostgreSQL.
func (s *Store) Pools() map[string]*sql.DB {
	if s.read == s.write {
		return map[string]*sql.DB{s.d.name(): s.read.db}
	}
	return map[string]*sql.DB{"read": s.read.db, "write": s.write.db}
}

// timestamp is the store's clock, truncated to what both databases keep.
func (s *Store) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// pool is where queries run: a *sql.DB, or, for SQLite's writer, the one
// connection held for the store's whole life and a semaphore that lets one
// transaction at a time use it.
//
// On SQLite each query text is prepared once on the pool and reused. On
// PostgreSQL the pgx driver prepares and caches every statement per
// connection by itself, so the pool only keeps the rewritten query texts.
type pool struct {
	db      *sql.DB
	conn    *sql.Conn     // nil: use db
	sem     chan struct{} // with conn: holds a token while a transaction runs
	d       dialect
	prepare bool // keep prepared statements (SQLite)

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	texts map[string]string // query -> the dialect's text (PostgreSQL)
}

func newPool(db *sql.DB, d dialect, prepare bool) *pool {
	return &pool{db: db, d: d, prepare: prepare, stmts: make(map[string]*sql.Stmt), texts: make(map[string]string)}
}

// newSingleConnPool takes one connection from db and keeps it.
func newSingleConnPool(ctx context.Context, db *sql.DB, d dialect) (*pool, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	p := newPool(db, d, true)
	p.conn, p.sem = c, make(chan struct{}, 1)
	return p, nil
}

// prepared returns the prepared statement for query, preparing it on first
// use. database/sql prepares it again, lazily, on each connection of a pool.
func (p *pool) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.RLock()
	st, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok {
		return st, nil
	}
	// Prepare without holding the lock: it may wait for a connection.
	var err error
	if p.conn != nil {
		st, err = p.conn.PrepareContext(ctx, p.d.rebind(query))
	} else {
		st, err = p.db.PrepareContext(ctx, p.d.rebind(query))
	}
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", query, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.stmts[query]; ok { // another goroutine was first
		st.Close()
		return prev, nil
	}
	p.stmts[query] = st
	return st, nil
}

// text returns the dialect's text of query, rewriting it on first use.
func (p *pool) text(query string) string {
	p.mu.RLock()
	t, ok := p.texts[query]
	p.mu.RUnlock()
	if ok {
		return t
	}
	t = p.d.rebind(query)
	p.mu.Lock()
	p.texts[query] = t
	p.mu.Unlock()
	return t
}

// begin starts a transaction; release must be called after it ends.
func (p *pool) begin(ctx context.Context) (tx *sql.Tx, release func(), err error) {
	if p.conn == nil {
		tx, err = p.db.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	release = func() { <-p.sem }
	tx, err = p.conn.BeginTx(ctx, nil)
	if err != nil {
		release()
		return nil, nil, err
	}
	return tx, release, nil
}

func (p *pool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
	var err error
	if p.conn != nil {
		err = p.conn.Close()
	}
	return errors.Join(err, p.db.Close())
}

// conn runs queries either on a pool (tx == nil) or inside a write
// transaction. Every method takes query text with ? placeholders.
type conn struct {
	pool *pool
	tx   *sql.Tx
	d    dialect
	// detach runs statements whatever happens to the caller's context: in a
	// transaction shared by several requests (group commit), one request
	// going away must not interrupt a statement, which could roll back the
	// others' work; and SQLite's reads (see Store.detachReads).
	detach bool
}

// stmtCtx is the context a statement runs with.
func (c conn) stmtCtx(ctx context.Context) context.Context {
	if c.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// runner is what runs SQL: a *sql.DB, a *sql.Tx or a prepared statement.
type runner interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// stmtRunner runs a prepared statement, whose text is already known.
type stmtRunner struct{ st *sql.Stmt }

func (r stmtRunner) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return r.st.QueryContext(ctx, args...)
}

func (r stmtRunner) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return r.st.QueryRowContext(ctx, args...)
}

func (r stmtRunner) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return r.st.ExecContext(ctx, args...)
}

// runner returns what runs query, and the text to give it.
func (c conn) runner(ctx context.Context, query string) (runner, string, error) {
	if !c.pool.prepare {
		text := c.pool.text(query)
		if c.tx != nil {
			return c.tx, text, nil
		}
		return c.pool.db, text, nil
	}
	st, err := c.pool.prepared(ctx, query)
	if err != nil {
		return nil, "", err
	}
	// A transaction of SQLite's writer runs on the pool's one connection,
	// where st is prepared already: run st itself. Tx.StmtContext would
	// prepare a statement bound to a Conn again on every call, which cost
	// a parse per statement on the write path.
	if c.tx != nil && c.pool.conn == nil {
		st = c.tx.StmtContext(ctx, st)
	}
	return stmtRunner{st}, "", nil
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer statement(ctx, time.Now())
	ctx = c.stmtCtx(ctx)
	r, text, err := c.runner(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, c.d.wrap(err)
	}
	return rows, nil
}

// queryRow runs a query that returns at most one row and scans it into dest.
// It reports whether there was a row.
func (c conn) queryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	defer statement(ctx, time.Now())
	ctx = c.stmtCtx(ctx)
	r, text, err := c.runner(ctx, query)
	if err != nil {
		return false, err
	}
	err = r.QueryRowContext(ctx, text, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, c.d.wrap(err)
	}
	return true, nil
}

func (c conn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	defer statement(ctx, time.Now())
	ctx = c.stmtCtx(ctx)
	r, text, err := c.runner(ctx, query)
	if err != nil {
		return 0, err
	}
	res, err := r.ExecContext(ctx, text, args...)
	if err != nil {
		return 0, c.d.wrap(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

// reader returns a conn on the read pool.
// reader is where a read that is not part of a write runs: a replica fresh
// enough for ctx's bookmark, if any (replica.go), else the primary.
func (s *Store) reader(ctx context.Context) conn {
	if s.replicas != nil {
		lsn, has := ctx.Value(bookmarkKey{}).(LSN)
		if r := s.replicas.pick(lsn, has); r != nil {
			return conn{pool: r.pool, d: s.d}
		}
	}
	return s.primary()
}

// primary is where reads run that must see every committed write at once,
// whatever the replicas: the sign-in's token checks.
func (s *Store) primary() conn { return conn{pool: s.read, d: s.d, detach: s.detachReads} }

// beforeWrite is a step that runs first in a write's transaction, on the
// row with id: a check that may refuse the write, or rows to change first.
type beforeWrite func(ctx context.Context, c conn, id int64) error

// maxTxAttempts bounds how often a transaction is run again after a
// deadlock or serialization failure.
const maxTxAttempts = 5

// inTx runs fn in one write transaction: it commits when fn returns nil and
// rolls back otherwise, so a multi-row change happens whole or not at all.
// A transaction that lost a deadlock to another is run again; fn must only
// set its results, so that running it twice is harmless.
//
// On SQLite the transaction goes to the group committer, which may run it
// inside one transaction with other requests' (see committer); it returns
// once that transaction has committed, or failed.
func (s *Store) inTx(ctx context.Context, fn func(c conn) error) error {
	if s.group != nil {
		return s.group.run(ctx, fn)
	}
	return s.retry(ctx, func() error { return s.tryTx(ctx, fn) })
}

// inStatement runs fn, whose only write is one statement (it may read
// after it, to say why the statement changed nothing), where a transaction
// would add round trips and nothing else: on PostgreSQL the statement
// commits by itself, one round trip instead of BEGIN, the statement and
// COMMIT. On SQLite it joins a group commit, as every write does.
func (s *Store) inStatement(ctx context.Context, fn func(c conn) error) error {
	if s.group != nil {
		return s.group.run(ctx, fn)
	}
	return s.retry(ctx, func() error { return fn(conn{pool: s.write, d: s.d}) })
}

// retry runs try again, up to maxTxAttempts times in all, while it fails
// with an error the dialect calls retryable.
func (s *Store) retry(ctx context.Context, try func() error) error {
	for attempt := 1; ; attempt++ {
		err := try()
		if err == nil || attempt == maxTxAttempts || !s.d.retryable(err) {
			return err
		}
		// Back off a little, more each time, so the winners can finish.
		select {
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(c conn) error) error {
	return runTx(ctx, s.write, s.d, false, fn)
}

// runTx runs fn in one transaction of p, committing when fn returns nil.
func runTx(ctx context.Context, p *pool, d dialect, detach bool, fn func(c conn) error) error {
	tx, release, err := p.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", d.wrap(err))
	}
	defer release()
	if err := fn(conn{pool: p, tx: tx, d: d, detach: detach}); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", d.wrap(err))
	}
	return nil
}

// collect scans every row of rows with scan and closes rows. It returns an
// empty, non-nil slice when there are no rows, so lists encode as [].
func collect[T any](rows *sql.Rows, scan func(*sql.Rows, *T) error) ([]T, error) {
	defer rows.Close()
	out := []T{}
	// Every row is scanned into v and copied out: v's address goes to the
	// driver, so v lives on the heap, once per statement instead of once
	// per row. It is zeroed first, so that no row keeps a field of the row
	// before.
	var v, zero T
	for rows.Next() {
		v = zero
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	return out, nil
}

// queryList runs a query and collects its rows with scan.
func queryList[T any](ctx context.Context, c conn, scan func(*sql.Rows, *T) error, query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer spent(ctx, time.Now())
	return collect(rows, scan)
}

// nullString is a *string argument: NULL when nil.
func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}
