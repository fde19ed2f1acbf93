package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrations holds the versioned SQL of each dialect, one folder per dialect.
//
//go:embed migrations
var migrations embed.FS

const dialectSQLite = "sqlite"

// migrate applies every pending migration of the dialect's folder.
func migrate(ctx context.Context, db *sql.DB, dialectDir string) error {
	fsys, err := fs.Sub(migrations, "migrations/"+dialectDir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	gd := goose.DialectSQLite3
	p, err := goose.NewProvider(gd, db, fsys)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}
