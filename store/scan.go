package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// timestamp scans a time column whatever form the driver hands it in:
// time.Time from a typed column, or text where SQLite lost the column type.
type timestamp time.Time

// Scan implements sql.Scanner.
func (t *timestamp) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*t = timestamp(v.UTC())
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("timestamp: cannot scan %T", v)
}

func (t *timestamp) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = timestamp(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("timestamp: cannot parse %q", s)
}

// ts adapts a *time.Time field to Scan.
func ts(t *time.Time) *timestamp { return (*timestamp)(t) }

// pageArgs appends the LIMIT and OFFSET arguments of p to args.
func pageArgs(p blogd.Page, args ...any) []any {
	return append(args, p.Limit, p.Skip)
}

// Tables whose rows can be checked for existence by id.
const (
	tableUsers      = "users"
	tablePosts      = "posts"
	tableComments   = "comments"
	tableCategories = "categories"
	tableRoles      = "roles"
)

// notFoundDetail is the sentence for a missing row of each table.
var notFoundDetail = map[string]string{
	tableUsers:      "User not found",
	tablePosts:      "Post not found",
	tableComments:   "Comment not found",
	tableCategories: "Category not found",
	tableRoles:      "Role not found",
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
	return &blogd.Error{Kind: blogd.KindNotFound, Detail: notFoundDetail[table]}
}

// nestedList runs a list query under a parent resource. An empty result
// costs one more query, to tell "no children" (200 []) from "no parent"
// (404), so that the common case stays one statement.
func nestedList[T any](ctx context.Context, c conn, parentTable string, parentID int64, list func() ([]T, error)) ([]T, error) {
	out, err := list()
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if err := mustExist(ctx, c, parentTable, parentID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
