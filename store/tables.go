package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// Tables whose rows can be checked for existence by id (profiles: by
// user_id, see profile.go).
const (
	tableUsers      = "users"
	tablePosts      = "posts"
	tableComments   = "comments"
	tableCategories = "categories"
	tableRoles      = "roles"
	tableProfiles   = "profiles"
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

// childList reads page p of list l, the children of the row of parentTable
// with parentID: a 404 when there is no such parent (nestedList).
func childList[T any](ctx context.Context, s *Store, parentTable string, parentID int64, l listSpec, p blogd.Page,
	scan func(*sql.Rows, *T) error) (blogd.List[T], error) {
	c := s.reader(ctx)
	return nestedList(ctx, c, parentTable, parentID, func() (blogd.List[T], error) { return runList(ctx, c, l, p, scan) })
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
	ok, err := s.reader(ctx).queryRow(ctx, "SELECT user_id FROM "+table+" WHERE id = ?", []any{id}, &owner)
	if err != nil {
		return 0, fmt.Errorf("owner of %s %d: %w", table, id, err)
	}
	if !ok {
		return 0, notFound(table)
	}
	return owner, nil
}

// changedErr is the error of a conditional write that found the row of each
// table changed.
var changedErr = map[string]*blogd.Error{
	tableUsers:      blogd.ErrUserChanged,
	tablePosts:      blogd.ErrPostChanged,
	tableComments:   blogd.ErrCommentChanged,
	tableCategories: blogd.ErrCategoryChanged,
	tableRoles:      blogd.ErrRoleChanged,
	tableProfiles:   blogd.ErrProfileChanged,
}

type unchangedKey struct{}

// IfUnchanged returns a context under which the store's changes and deletes
// of a resource are conditional: they happen only if the resource's
// updated_at is still version, checked in the same statement as the write
// (a compare-and-swap), and otherwise fail with the table's Changed error.
// It is how If-Match reaches the database.
func IfUnchanged(ctx context.Context, version time.Time) context.Context {
	return context.WithValue(ctx, unchangedKey{}, version.UTC().Truncate(time.Microsecond))
}

// unchanged returns the condition that makes a write conditional under
// ctx (IfUnchanged), to AND into its WHERE clause, with its argument; ""
// when the write is not conditional.
func unchanged(ctx context.Context, col string) (string, []any) {
	v, ok := ctx.Value(unchangedKey{}).(time.Time)
	if !ok {
		return "", nil
	}
	return " AND " + col + " = ?", []any{v}
}

// missingOrChanged says why a write matched no row of table with id: no
// such row, or (under IfUnchanged) a row that has changed.
func missingOrChanged(ctx context.Context, c conn, table string, id int64) error {
	if err := mustExist(ctx, c, table, id); err != nil {
		return err
	}
	return changedErr[table]
}
