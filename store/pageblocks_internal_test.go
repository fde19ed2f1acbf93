package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// pageBlocksWrong recounts table and returns the blocks of page_blocks
// whose counts differ from the recount, or that are missing from it.
func pageBlocksWrong(ctx context.Context, db *sql.DB, table string) ([]int64, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT b.block FROM page_blocks b WHERE b.tbl = ?1 AND (
			b.n != (SELECT count(*) FROM `+table+` WHERE id >> 10 = b.block) OR
			b.before != (SELECT count(*) FROM `+table+` WHERE id < b.block << 10))
		UNION ALL
		SELECT DISTINCT id >> 10 FROM `+table+` WHERE id >> 10 NOT IN (
			SELECT block FROM page_blocks WHERE tbl = ?1)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var wrong []int64
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		wrong = append(wrong, b)
	}
	return wrong, rows.Err()
}

// Migration 00004 counts the rows a database already holds: a database
// migrated from version 3 gets the same counts as one that had the
// triggers from the start.
func TestPageBlocksBackfill(t *testing.T) {
	ctx := context.Background()
	db := sql.OpenDB(dsnConnector{drv: newSQLiteDriver(), dsn: "file:" + filepath.Join(t.TempDir(), "blogd.db") + "?_pragma=foreign_keys(1)"})
	defer db.Close()
	db.SetMaxOpenConns(1)
	fsys, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3500)
			INSERT INTO users (username, email, created_at) SELECT 'u' || i, 'u' || i || '@example.com', '2026-11-25 00:00:00+00:00' FROM s`,
		`INSERT INTO posts (title, content, user_id, created_at) SELECT 't', 'c', id, created_at FROM users`,
		`INSERT INTO comments (content, post_id, user_id, created_at) SELECT 'c', id, user_id, created_at FROM posts`,
		`DELETE FROM users WHERE id % 5 = 0 OR id BETWEEN 1500 AND 2600`, // cascades, before the triggers exist
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pt := range pageableTables {
		table := string(pt)
		var blocks int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM page_blocks WHERE tbl = ?", table).Scan(&blocks); err != nil {
			t.Fatal(err)
		}
		wrong, err := pageBlocksWrong(ctx, db, table)
		if err != nil {
			t.Fatal(err)
		}
		if blocks < 3 || len(wrong) > 0 {
			t.Errorf("%s: %d blocks, wrong or missing: %v", table, blocks, wrong)
		}
	}
}

// Every pageable table has the triggers that keep its page_blocks rows, or
// SQLite would page it as empty.
func TestPageableTablesHaveTriggers(t *testing.T) {
	st, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "blogd.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, pt := range pageableTables {
		for _, event := range []string{"INSERT", "DELETE"} {
			var n int
			err := st.ReadDB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?
				AND sql LIKE '%AFTER ' || ? || ' ON ' || ? || '%' AND sql LIKE '%page_blocks%'`, string(pt), event, string(pt)).Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("%s: %d page_blocks triggers after %s (%v)", pt, n, event, err)
			}
		}
	}
}
