package store

import (
	"context"
	"database/sql"
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
	// Both the writer's *sql.Conn and the readers' *sql.DB answer this.
	type queryRower interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	read := func(db queryRower) pragmas {
		t.Helper()
		var p pragmas
		for _, f := range []struct {
			name string
			dst  *string
		}{
			{"journal_mode", &p.journalMode}, {"synchronous", &p.synchronous}, {"foreign_keys", &p.foreignKeys},
			{"query_only", &p.queryOnly}, {"temp_store", &p.tempStore},
		} {
			if err := db.QueryRowContext(ctx, "PRAGMA "+f.name).Scan(f.dst); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	if got, want := read(s.write.conn), (pragmas{"wal", "2", "1", "0", "2"}); got != want {
		t.Errorf("writer: %+v, want %+v", got, want)
	}
	if got, want := read(s.read.db), (pragmas{"wal", "2", "1", "1", "0"}); got != want {
		t.Errorf("reader: %+v, want %+v", got, want)
	}
}
