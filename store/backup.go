package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
)

// ErrBackupPostgres is Backup's answer on PostgreSQL, whose own tools copy
// a live server.
var ErrBackupPostgres = errors.New("backup copies a SQLite database; for PostgreSQL use pg_dump or pg_basebackup")

// Backup writes a consistent copy of the SQLite database to path, a file
// that must not exist yet, while the database serves reads and writes.
// VACUUM INTO reads the whole database in one read transaction, on a
// reader connection: the copy holds every write committed before it began
// and none after, and writers go on meanwhile (WAL). The copy is then
// checked (integrity_check) before Backup reports success; a failed copy is
// removed.
func (s *Store) Backup(ctx context.Context, path string) (err error) {
	if s.group == nil {
		return ErrBackupPostgres
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup: %s exists; give a new file", path)
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	c, err := s.read.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer c.Close()
	// Readers are query_only, which VACUUM INTO's new file falls under;
	// this connection writes only that file, and is read-only again before
	// it goes back to the pool.
	if _, err := c.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = c.ExecContext(ctx, "VACUUM INTO ?", path)
	if _, rerr := c.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = 1"); rerr != nil {
		c.Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool
		err = errors.Join(err, rerr)
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return checkSQLiteFile(ctx, path)
}

// checkSQLiteFile runs SQLite's integrity_check on the database file at
// path.
func checkSQLiteFile(ctx context.Context, path string) error {
	db := sql.OpenDB(dsnConnector{drv: newSQLiteDriver(), dsn: "file:" + path + "?mode=ro"})
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("check %s: integrity_check says %q", path, result)
	}
	return nil
}
