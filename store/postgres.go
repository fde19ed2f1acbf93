package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/search"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// OpenPostgres connects to the PostgreSQL database at url (postgres://...),
// applies the migrations and returns a Store. Reads and writes share one
// pool: PostgreSQL runs concurrent writers itself, so several blogd
// instances can serve one database.
func OpenPostgres(ctx context.Context, url string, opts Options) (*Store, error) {
	db, err := openPostgresDB(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	d := postgresDialect{}
	migrated, err := migrate(ctx, db, d)
	if err != nil {
		db.Close()
		return nil, err
	}
	p := newPool(db, d, false)
	s := &Store{read: p, write: p, d: d, now: opts.Now, migrated: migrated}
	if s.now == nil {
		s.now = time.Now
	}
	if len(opts.Replicas) > 0 {
		if s.replicas, err = openReplicas(ctx, opts.Replicas, opts.ReplicaMaxLag, db, opts); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// openPostgresDB opens a pool on the PostgreSQL server at url and checks
// that it answers.
func openPostgresDB(ctx context.Context, url string, opts Options) (*sql.DB, error) {
	var drv driver.Driver = stdlib.GetDefaultDriver()
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	db := sql.OpenDB(dsnConnector{drv: drv, dsn: url})
	opts.apply(db)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return db, nil
}

// postgresDialect is PostgreSQL's dialect: $n placeholders, id lists as
// bigint[] literals.
type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) goose() goose.Dialect { return goose.DialectPostgres }

// rebind numbers the ? placeholders ($1, $2, ...). The store's queries hold
// no ? inside string literals.
func (postgresDialect) rebind(query string) string {
	query = replaceTSText(replaceIDTable(query, "unnest(CAST(? AS bigint[])) AS value"), "$1")
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// ids encodes ids as a bigint[] literal, {1,2,3}, which any driver passes
// as text.
func (postgresDialect) ids(ids []int64) any {
	s := jsonIDs(ids)
	return "{" + s[1:len(s)-1] + "}"
}

// firstRows reads each parent's first rows in a LATERAL subquery with a
// LIMIT: one index range per parent. (The correlated IN that SQLite runs
// well is a filter over every row here.)
func (postgresDialect) firstRows(rel Relation, cols string) string {
	return `SELECT ids.value, w.* FROM (SELECT value FROM idtable(?)) ids CROSS JOIN LATERAL (
		SELECT ` + cols + ` FROM ` + rel.table + ` ` + rel.joins + `
		WHERE ` + rel.parent + ` = ids.value ORDER BY ` + rel.order + ` LIMIT ?) w`
}

// searchPosts matches the posts' tsvector (migration 00007) against q's
// tsquery, computed once in a subquery. Its relevance is ts_rank, with the
// title's words (weight A) weighing more than the content's (B).
//
// A search is planned for its own words each time (pgx's
// QueryExecModeExec: an unnamed statement, planned at bind), not by a
// cached prepared statement: after five runs PostgreSQL may switch such a
// statement to a generic plan, which cannot know how many posts a word is
// in. For a word in every post it guessed 10 rows and went through the
// text index, 5.6 ms against 1.7-2.2 ms for the scan a plan for the word
// chooses (2,000 posts), and the harness's search rate fell from about
// 700 to 278 req/s when that switch happened.
func (postgresDialect) searchPosts(q search.Query) (string, string, string, []any) {
	expr, args := tsQuery(q)
	return " FROM (SELECT " + expr + " AS query) q, posts p", "p.search @@ q.query", "ts_rank(p.search, q.query)",
		append([]any{pgx.QueryExecModeExec}, args...)
}

// pageIDs skips from the start of the primary key: count(*) would read
// every row, as the skip does.
func (postgresDialect) pageIDs(table pageableTable) string {
	return "WITH page_ids(id) AS (SELECT id FROM " + string(table) + " ORDER BY id LIMIT ? OFFSET ?) "
}

func (postgresDialect) wrap(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return conflict(pe.ConstraintName, err)
	case "23503": // foreign_key_violation: the referenced row went away meanwhile
		return fmt.Errorf("%w: %w", blogd.ErrReferenceGone, err)
	}
	return err
}

func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	// 40001 serialization_failure, 40P01 deadlock_detected
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
