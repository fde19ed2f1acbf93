package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyTables are the tables CopyTo moves, each after those it refers to.
// (page_blocks and the search index are SQLite's own, and PostgreSQL's
// triggers fill its posts' search column as the rows arrive.) Comments go
// in id order, which puts every reply after the comment it answers.
var copyTables = []string{"users", "profiles", "categories", "roles", "posts", "post_categories", "user_roles", "comments", "tokens"}

// CopiedTables lists the tables that CopyTo moves, in its order.
func CopiedTables() []string { return slices.Clone(copyTables) }

// serialTables are the copied tables whose ids come from a sequence on
// PostgreSQL, which must go on after the highest copied id.
var serialTables = []string{"users", "profiles", "categories", "roles", "posts", "comments"}

// CopyProgress is told, as rows arrive, how many of all are copied.
type CopyProgress func(done, total int)

// CopyTo copies every row of s, a SQLite store, to dst, an empty
// PostgreSQL store (both opened, so both at their latest schema): ids, timestamps, links,
// password hashes and tokens. It reads s in one read transaction (a
// consistent snapshot, while s may go on serving) and writes dst in one
// transaction with COPY, so that a failure leaves dst empty; then it
// checks that each table of dst holds as many rows as the snapshot, and
// returns those counts.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress CopyProgress) (map[string]int, error) {
	if s.group == nil || dst.group != nil {
		return nil, errors.New("copy: copies a SQLite database to a PostgreSQL one")
	}
	for _, t := range copyTables {
		var hasRows bool
		if err := dst.write.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&hasRows); err != nil {
			return nil, fmt.Errorf("copy: %w", err)
		}
		if hasRows {
			return nil, fmt.Errorf("copy: the target is not empty (%s has rows): copy into a new database", t)
		}
	}

	src, err := s.read.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer src.Rollback()
	counts := map[string]int{}
	total := 0
	for _, t := range copyTables {
		var n int
		if err := src.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: count %s: %w", t, err)
		}
		counts[t], total = n, total+n
	}

	conn, err := dst.write.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pg := dc.(*stdlib.Conn).Conn()
		tx, err := pg.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		done := 0
		for _, t := range copyTables {
			n, err := copyTable(ctx, src, tx, t, func(rows int) {
				if progress != nil {
					progress(done+rows, total)
				}
			})
			if err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
			if n != counts[t] {
				return fmt.Errorf("%s: copied %d rows of %d", t, n, counts[t])
			}
			done += n
		}
		for _, t := range serialTables {
			if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM "+t); err != nil {
				return fmt.Errorf("%s: sequence: %w", t, err)
			}
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	for _, t := range copyTables {
		var n int
		if err := dst.write.db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: check %s: %w", t, err)
		}
		if n != counts[t] {
			return nil, fmt.Errorf("copy: check: %s holds %d rows, the source %d", t, n, counts[t])
		}
	}
	return counts, nil
}

// copyTable streams the rows of table t from src into tx with COPY, in
// primary-key order, and returns how many it copied. The columns are the
// source's; PostgreSQL's table has each of them.
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t string, copied func(rows int)) (int, error) {
	cols, err := sourceColumns(ctx, src, t)
	if err != nil {
		return 0, err
	}
	rows, err := src.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+t+" ORDER BY 1")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	next := func() ([]any, error) {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if n++; n%1000 == 0 {
			copied(n)
		}
		return vals, nil
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{t}, cols, &rowSource{rows: rows, next: next})
	if err == nil {
		err = rows.Err()
	}
	copied(n)
	return n, err
}

// rowSource is the rows of a query as pgx's CopyFromSource.
type rowSource struct {
	rows *sql.Rows
	next func() ([]any, error)
	vals []any
	err  error
}

func (r *rowSource) Next() bool {
	if !r.rows.Next() {
		return false
	}
	r.vals, r.err = r.next()
	return r.err == nil
}

func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }
func (r *rowSource) Err() error             { return r.err }

// sourceColumns lists the columns of SQLite table t, in order.
func sourceColumns(ctx context.Context, src *sql.Tx, t string) ([]string, error) {
	rows, err := src.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
