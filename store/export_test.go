package store

import "context"

// ExecInTx runs one statement in a write transaction, for tests that must
// reach the database past the store's own checks.
func (s *Store) ExecInTx(ctx context.Context, query string, args ...any) error {
	return s.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, query, args...)
		return err
	})
}

// PageBlocksWrong lists the blocks of page_blocks (SQLite) whose counts
// differ from a recount of table.
var PageBlocksWrong = pageBlocksWrong
