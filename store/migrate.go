package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the versioned SQL of each dialect, one folder per dialect.
//
//go:embed migrations
var migrations embed.FS

// Migrations is what opening the store did to the schema.
type Migrations struct {
	// Applied names the migrations applied, oldest first; none when the
	// schema was up to date.
	Applied []string
	// Version is the schema's version now.
	Version int64
}

// migrate applies every pending migration of the dialect's folder
// (migrations/sqlite or migrations/postgres).
func migrate(ctx context.Context, db *sql.DB, d dialect) (Migrations, error) {
	var m Migrations
	fsys, err := fs.Sub(migrations, "migrations/"+d.name())
	if err != nil {
		return m, fmt.Errorf("migrations: %w", err)
	}
	var opts []goose.ProviderOption
	if d.goose() == goose.DialectPostgres {
		// Several blogd instances may start at once on one database: a
		// lock lets one of them migrate while the others wait. A lock row
		// (goose_lock, with a lease) rather than a session advisory lock,
		// which a pooler in transaction mode (PgBouncer) would leave held
		// on whichever server connection took it.
		locker, err := lock.NewPostgresTableLocker(lock.WithTableLockTimeout(500*time.Millisecond, 600)) // every half second, up to 5 minutes
		if err != nil {
			return m, fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(d.goose(), db, fsys, opts...)
	if err != nil {
		return m, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return m, fmt.Errorf("migrations: %w", err)
	}
	for _, r := range results {
		m.Applied = append(m.Applied, r.Source.Path)
	}
	if m.Version, err = p.GetDBVersion(ctx); err != nil {
		return m, fmt.Errorf("migrations: %w", err)
	}
	return m, nil
}
