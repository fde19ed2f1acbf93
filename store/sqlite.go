package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/search"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens (creating it if needed) the SQLite database at path,
// applies the migrations and returns a Store.
func OpenSQLite(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("sqlite: the folder %s does not exist", dir)
		}
	}
	var drv driver.Driver = newSQLiteDriver()
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	// Every connection gets these pragmas. WAL lets readers run beside the
	// writer; synchronous=FULL syncs the WAL on every commit, so no
	// acknowledged write is lost even on power failure; the busy timeout
	// covers other processes (a migrate run, a backup) holding the lock.
	common := url.Values{}
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "busy_timeout(10000)")
	common.Add("_pragma", "journal_mode(WAL)")
	common.Add("_pragma", "synchronous(FULL)")
	common.Set("_time_format", "sqlite")

	wq := cloneValues(common)
	// The writer's transactions take the write lock at BEGIN, so a
	// transaction never fails half-way to upgrade a read lock.
	wq.Set("_txlock", "immediate")
	// Group commit runs each request in a savepoint, and SQLite copies every
	// page a savepoint changes to a sub-journal, which spills to a temporary
	// file past 64 KiB: two write(2) calls per page from then on, for the
	// rest of the group. Kept in memory it is a copy, and it is emptied at
	// each RELEASE, so it holds one request's pages at most.
	wq.Add("_pragma", "temp_store(MEMORY)")
	write := sql.OpenDB(dsnConnector{drv: drv, dsn: sqliteDSN(path, wq)})
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	d := sqliteDialect{}
	// Migrate on the writer before any reader opens, so that readers find
	// the file in WAL mode with its schema.
	migrated, err := migrate(ctx, write, d)
	if err != nil {
		write.Close()
		return nil, err
	}
	wp, err := newSingleConnPool(ctx, write, d)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{write: wp, group: newCommitter(wp, d), d: d, now: opts.Now, detachReads: true, migrated: migrated,
		searches: newSearchCache(), embeds: newEmbedCache(opts.EmbedCacheBytes)}
	if s.now == nil {
		s.now = time.Now
	}

	rq := cloneValues(common)
	rq.Add("_pragma", "query_only(1)")
	// Readers keep a small page cache: the operating system caches the file
	// anyway, and SQLite's default of 2 MiB each cost the server about 15 MB
	// at the 10x dataset, for a few percent of speed (docs/performance.md).
	rq.Add("_pragma", "cache_size(-512)")
	read := sql.OpenDB(dsnConnector{drv: drv, dsn: sqliteDSN(path, rq)})
	opts.apply(read)
	s.read = newPool(read, d, true)
	if err := read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

func sqliteDSN(path string, q url.Values) string {
	return "file:" + path + "?" + q.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// newSQLiteDriver is the SQLite driver with blogd's functions, on its own
// connections only: blogd_search_text, which the search index's triggers
// call (migration 00008).
func newSQLiteDriver() *sqlite.Driver {
	d := &sqlite.Driver{}
	d.MustRegisterDeterministicScalarFunction("blogd_search_text", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, ok := args[0].(string)
			if !ok {
				return args[0], nil // NULL stays NULL
			}
			return search.IndexText(s), nil
		})
	return d
}

// searchPosts searches the FTS5 index posts_search (migration 00008). Its
// relevance is bm25 with the title weighing ten times the content, negated
// so that higher is better.
func (sqliteDialect) searchPosts(q search.Query) (string, string, string, []any) {
	return " FROM posts_search JOIN posts p ON p.id = posts_search.rowid", "posts_search MATCH ?",
		"-bm25(posts_search, 10.0, 1.0)", []any{fts5Query(q)}
}

// sqliteDialect is SQLite's dialect: ? placeholders as they are, id lists as
// JSON arrays read by json_each.
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) goose() goose.Dialect { return goose.DialectSQLite3 }

func (sqliteDialect) retryable(error) bool { return false }

// rebind also reads each tstext(column) as TEXT: the driver would parse a
// TIMESTAMP column with time.Parse, trying layout after layout, which costs
// more than the rest of a row; timestamp.Scan parses the text faster.
func (sqliteDialect) rebind(query string) string {
	return replaceTSText(replaceIDTable(query, "json_each(?)"), "CAST($1 AS TEXT)")
}

func (sqliteDialect) ids(ids []int64) any { return jsonIDs(ids) }

// firstRows names each parent's first rows by a correlated subquery with a
// LIMIT and reads them by their key, which SQLite runs as one index range
// and key lookups per parent. (A window function over the batch,
// row_number() OVER (PARTITION BY parent), reads and sorts every row of
// every parent first: three times slower here. SQLite has no LATERAL.)
func (sqliteDialect) firstRows(rel Relation, cols string) string {
	return `SELECT ids.value, ` + cols + ` FROM (SELECT value FROM idtable(?)) ids
		JOIN ` + rel.table + ` ON (` + rel.key + `) IN (SELECT ` + rel.key + ` FROM ` + rel.table + `
			WHERE ` + rel.parent + ` = ids.value ORDER BY ` + rel.order + ` LIMIT ?) ` + rel.joins
}

// pageIDs starts from the block of ids that holds the page. SQLite can
// only walk an OFFSET entry by entry (about 10 ns each), so a deep page
// cost a walk as long as the skip. page_blocks (migration 00004, kept by
// triggers) holds, per block of 1,024 ids (id >> 10), the rows in all
// earlier blocks; the page starts at the last block with at most skip rows
// before it, one primary-key seek, and walks the rest of the skip, fewer
// than 1,024 entries, so its cost is the same at any depth and table size.
// One statement reads one snapshot, so the counts match the rows. ?1 is the
// limit, ?2 the skip. Callers read the rows as "id IN (SELECT id FROM
// page_ids)", which SQLite answers by primary-key lookups in key order.
func (sqliteDialect) pageIDs(table pageableTable) string {
	return `WITH start(id, skip) AS MATERIALIZED (
			SELECT block << ` + pageBlockShift + `, ?2 - before FROM page_blocks
			WHERE tbl = '` + string(table) + `' AND before <= ?2 ORDER BY block DESC LIMIT 1),
		page_ids(id) AS (
			SELECT id FROM ` + string(table) + ` WHERE id >= (SELECT id FROM start) ORDER BY id
			LIMIT ?1 OFFSET coalesce((SELECT skip FROM start), 0)) `
}

// pageBlockShift sizes the blocks of page_blocks: block = id >> 10. It must
// match the triggers of migration 00004.
const pageBlockShift = "10"

func (sqliteDialect) wrap(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		// The message ends "UNIQUE constraint failed: users.username", or
		// "...failed: index 'users_username_lower_key'" for an index on an
		// expression.
		msg := se.Error()
		key := ""
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			col := strings.TrimSpace(msg[i+len("failed: "):])
			if index, ok := strings.CutPrefix(col, "index '"); ok {
				key, _, _ = strings.Cut(index, "'")
			} else {
				if j := strings.IndexByte(col, ' '); j >= 0 {
					col = col[:j]
				}
				key = strings.ReplaceAll(col, ".", "_") + "_key"
			}
		}
		return conflict(key, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", blogd.ErrReferenceGone, err)
	}
	return err
}
