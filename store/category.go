package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/blogd/blogd"
)

// Categories and roles are both {id, name, description} tables with a unique
// name, so one set of functions serves both; table is tableCategories or
// tableRoles.

// namedColumns are the columns of a category or role, from alias x.
const namedColumns = "x.id, x.name, x.description, tstext(x.updated_at)"

func scanCategory(rows *sql.Rows, c *blogd.Category) error {
	return rows.Scan(categoryDest(c)...)
}

// categoryDest is where a row of namedColumns is scanned into.
func categoryDest(c *blogd.Category) []any {
	return []any{&c.ID, &c.Name, &c.Description, ts(&c.UpdatedAt)}
}

func (s *Store) createNamed(ctx context.Context, table string, in blogd.CategoryCreate) (blogd.Category, error) {
	out := blogd.Category{Name: in.Name, Description: in.Description, UpdatedAt: s.timestamp()}
	err := s.inTx(ctx, func(c conn) error {
		_, err := c.queryRow(ctx, "INSERT INTO "+table+" (name, description, updated_at) VALUES (?, ?, ?) RETURNING id",
			[]any{in.Name, in.Description, out.UpdatedAt}, &out.ID)
		return err
	})
	if err != nil {
		return blogd.Category{}, fmt.Errorf("create %s: %w", table, err)
	}
	return out, nil
}

func (s *Store) getNamed(ctx context.Context, table string, id int64) (blogd.Category, error) {
	var out blogd.Category
	ok, err := s.reader(ctx).queryRow(ctx, "SELECT "+namedColumns+" FROM "+table+" x WHERE x.id = ?", []any{id},
		categoryDest(&out)...)
	if err != nil {
		return out, fmt.Errorf("get %s %d: %w", table, id, err)
	}
	if !ok {
		return out, notFound(table)
	}
	return out, nil
}

func (s *Store) listNamed(ctx context.Context, table string, p blogd.Page) (blogd.List[blogd.Category], error) {
	out, err := runList(ctx, s.reader(ctx), listSpec{cols: namedColumns, from: " FROM " + table + " x WHERE 1 = 1",
		id: "x.id"}, p, scanCategory)
	if err != nil {
		return out, fmt.Errorf("list %s: %w", table, err)
	}
	return out, nil
}

// updateNamed changes a category or role; before, when not nil, runs first
// in the same transaction and may refuse the change.
func (s *Store) updateNamed(ctx context.Context, table string, id int64, in blogd.CategoryUpdate, before beforeWrite) (blogd.Category, error) {
	var out blogd.Category
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		if before != nil {
			if err := before(ctx, c, id); err != nil {
				return err
			}
		}
		ok, err := c.queryRow(ctx, "UPDATE "+table+` SET name = COALESCE(?, name), description = COALESCE(?, description),
			updated_at = ? WHERE id = ?`+cond+` RETURNING id, name, description, updated_at`,
			append([]any{in.Name, in.Description, s.timestamp(), id}, condArgs...), categoryDest(&out)...)
		if err == nil && !ok {
			err = missingOrChanged(ctx, c, table, id)
		}
		return err
	})
	if err != nil {
		return blogd.Category{}, fmt.Errorf("update %s %d: %w", table, id, err)
	}
	return out, nil
}

// CreateCategory inserts a category; a taken name is a conflict.
func (s *Store) CreateCategory(ctx context.Context, in blogd.CategoryCreate) (blogd.Category, error) {
	return s.createNamed(ctx, tableCategories, in)
}

// Category returns one category.
func (s *Store) Category(ctx context.Context, id int64) (blogd.Category, error) {
	return s.getNamed(ctx, tableCategories, id)
}

// Categories lists categories by id.
func (s *Store) Categories(ctx context.Context, p blogd.Page) (blogd.List[blogd.Category], error) {
	return s.listNamed(ctx, tableCategories, p)
}

// UpdateCategory changes the given fields of a category.
func (s *Store) UpdateCategory(ctx context.Context, id int64, in blogd.CategoryUpdate) (blogd.Category, error) {
	return s.updateNamed(ctx, tableCategories, id, in, nil)
}

// DeleteCategory deletes a category; its posts stay, their links to it go.
func (s *Store) DeleteCategory(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tableCategories, id, nil)
}
