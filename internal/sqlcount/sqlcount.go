// Package sqlcount wraps a database/sql driver to count the statements run
// through it. Tests use it to show that a request costs a bounded number of
// statements (no N+1).
package sqlcount

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// Counter counts statements executed or queried.
type Counter struct{ n atomic.Int64 }

// Load returns the count so far.
func (c *Counter) Load() int64 { return c.n.Load() }

// Wrap returns a driver that counts every statement run through d:
// prepared or run directly, as d offers them, so that database/sql takes
// the same paths with the wrapper as without it (pgx runs a statement
// directly, with its options among the arguments).
func (c *Counter) Wrap(d driver.Driver) driver.Driver { return &drv{Driver: d, c: c} }

type drv struct {
	driver.Driver
	c *Counter
}

func (d *drv) Open(name string) (driver.Conn, error) {
	cn, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: cn, c: d.c}, nil
}

type conn struct {
	driver.Conn
	c *Counter
}

func (cn *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if pc, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, query)
	} else {
		st, err = cn.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: st, c: cn.c}, nil
}

// QueryContext runs a statement directly when the driver can.
func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return counted(cn.c, func() (driver.Rows, error) { return q.QueryContext(ctx, query, args) })
}

// ExecContext runs a statement directly when the driver can.
func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return counted(cn.c, func() (driver.Result, error) { return e.ExecContext(ctx, query, args) })
}

// counted runs a statement directly and counts it, unless the driver
// declined it (database/sql then prepares it, and the prepared statement
// counts).
func counted[T any](c *Counter, run func() (T, error)) (T, error) {
	v, err := run()
	if !errors.Is(err, driver.ErrSkip) {
		c.n.Add(1)
	}
	return v, err
}

// CheckNamedValue lets the driver take the arguments it knows (pgx's
// options).
func (cn *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := cn.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (cn *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bt, ok := cn.Conn.(driver.ConnBeginTx); ok {
		return bt.BeginTx(ctx, opts)
	}
	return nil, errors.New("sqlcount: driver lacks BeginTx")
}

func (cn *conn) ResetSession(ctx context.Context) error {
	if r, ok := cn.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type stmt struct {
	driver.Stmt
	c *Counter
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.n.Add(1)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, errors.New("sqlcount: statement lacks ExecContext")
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.n.Add(1)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return nil, errors.New("sqlcount: statement lacks QueryContext")
}
