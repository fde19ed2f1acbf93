package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"
)

// Options tune how the store opens its database.
type Options struct {
	// MaxOpenConns bounds the connections of the pool: the readers on
	// SQLite (the writer is always one more connection), every connection
	// on PostgreSQL. 0 means a default from the number of CPUs.
	MaxOpenConns int
	// MaxIdleConns is how many of them stay open when idle; 0 means all.
	MaxIdleConns int
	// ConnMaxLifetime closes connections older than this; 0 means never.
	ConnMaxLifetime time.Duration
	// WrapDriver, when set, wraps the database driver, for instance to count
	// the statements a request costs in tests.
	WrapDriver func(driver.Driver) driver.Driver
	// Now is the clock for created_at; nil means time.Now.
	Now func() time.Time
	// Replicas are PostgreSQL streaming standbys of the database, postgres://
	// URLs, that serve reads (see replica.go).
	Replicas []string
	// ReplicaMaxLag is how far a replica may be behind the primary and
	// still serve reads without a bookmark; 0 means 1s.
	ReplicaMaxLag time.Duration
	// EmbedCacheBytes bounds the embedded rows that a SQLite store keeps
	// between reads (see embedCache): 0 means DefaultEmbedCacheBytes, less
	// than 0 keeps none.
	EmbedCacheBytes int
}

// IsPostgresURL reports whether dsn names a PostgreSQL database rather than
// a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database that dsn names, a postgres:// URL or a SQLite file
// path, applies the migrations, and returns a Store. Its errors name the
// database (a URL without its password).
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	var s *Store
	var err error
	switch {
	case IsPostgresURL(dsn):
		s, err = OpenPostgres(ctx, dsn, opts)
	case strings.Contains(dsn, "://"):
		err = errors.New("not a SQLite file path nor a postgres:// URL; blogd speaks SQLite and PostgreSQL")
	default:
		s, err = OpenSQLite(ctx, dsn, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", Redact(dsn), err)
	}
	return s, nil
}

// Redact hides the password of a database URL, for logs and errors.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// apply sets the pool limits of opts on db.
func (opts Options) apply(db *sql.DB) {
	n := opts.MaxOpenConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	idle := opts.MaxIdleConns
	if idle <= 0 || idle > n {
		idle = n
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(idle)
	db.SetConnMaxLifetime(opts.ConnMaxLifetime)
}

// dsnConnector adapts a driver and a DSN to driver.Connector, so that a
// wrapped driver can be used with sql.OpenDB.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }

func (c dsnConnector) Driver() driver.Driver { return c.drv }
