package store

import (
	"context"
	"fmt"

	"github.com/blogd/blogd"
)

// Tables whose rows can be checked for existence by id.
const (
	tableUsers      = "users"
	tablePosts      = "posts"
	tableComments   = "comments"
	tableCategories = "categories"
	tableRoles      = "roles"
)

// notFoundErr is the error for a missing row of each table.
var notFoundErr = map[string]*blogd.Error{
	tableUsers:      blogd.ErrUserNotFound,
	tablePosts:      blogd.ErrPostNotFound,
	tableComments:   blogd.ErrCommentNotFound,
	tableCategories: blogd.ErrCategoryNotFound,
	tableRoles:      blogd.ErrRoleNotFound,
}

// mustExist returns a not-found error when table has no row with id. table
// is one of the table constants above, never client input.
func mustExist(ctx context.Context, c conn, table string, id int64) error {
	var one int
	ok, err := c.queryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", []any{id}, &one)
	if err != nil {
		return fmt.Errorf("check %s %d: %w", table, id, err)
	}
	if !ok {
		return notFound(table)
	}
	return nil
}

func notFound(table string) error {
	return notFoundErr[table]
}

// nestedList runs a list query under a parent resource. An empty page
// costs one more query, to tell "no children" (200 []) from "no parent"
// (404), so that the common case stays one statement.
func nestedList[T any](ctx context.Context, c conn, parentTable string, parentID int64, list func() (blogd.List[T], error)) (blogd.List[T], error) {
	out, err := list()
	if err != nil {
		return out, err
	}
	if len(out.Items) == 0 {
		if err := mustExist(ctx, c, parentTable, parentID); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (s *Store) ownerOf(ctx context.Context, table string, id int64) (int64, error) {
	var owner int64
	ok, err := s.reader().queryRow(ctx, "SELECT user_id FROM "+table+" WHERE id = ?", []any{id}, &owner)
	if err != nil {
		return 0, fmt.Errorf("owner of %s %d: %w", table, id, err)
	}
	if !ok {
		return 0, notFound(table)
	}
	return owner, nil
}
