package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLitePragmas checks the settings every connection must run with:
// durability (WAL, synchronous=FULL), foreign keys, read-only readers, and
// the writer's sub-journal kept in memory (group commit's savepoints would
// otherwise spill it to a temporary file, two write(2) calls per page).
func TestSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "blogd.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type pragmas struct{ journalMode, synchronous, foreignKeys, queryOnly, tempStore string }
	read := func(q func(query string) (string, error)) pragmas {
		t.Helper()
		var p pragmas
		for _, f := range []struct {
			name string
			dst  *string
		}{
			{"journal_mode", &p.journalMode}, {"synchronous", &p.synchronous}, {"foreign_keys", &p.foreignKeys},
			{"query_only", &p.queryOnly}, {"temp_store", &p.tempStore},
		} {
			v, err := q("PRAGMA " + f.name)
			if err != nil {
				t.Fatal(err)
			}
			*f.dst = v
		}
		return p
	}
	writer := read(func(query string) (v string, err error) {
		err = s.write.conn.QueryRowContext(ctx, query).Scan(&v)
		return v, err
	})
	if want := (pragmas{"wal", "2", "1", "0", "2"}); writer != want {
		t.Errorf("writer: %+v, want %+v", writer, want)
	}
	reader := read(func(query string) (v string, err error) {
		err = s.read.db.QueryRowContext(ctx, query).Scan(&v)
		return v, err
	})
	if want := (pragmas{"wal", "2", "1", "1", "0"}); reader != want {
		t.Errorf("reader: %+v, want %+v", reader, want)
	}
}
