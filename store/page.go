package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/blogd/blogd"
)

// pageableTable is a table whose whole list pages through pageIDs: on
// SQLite, one whose page_blocks rows are kept by triggers (migration
// 00004). Only the constants below are pageable, so a table without the
// triggers, which SQLite would page as empty, cannot be passed by mistake;
// TestPageableTablesHaveTriggers checks the triggers of each.
type pageableTable string

// The pageable tables.
const (
	pageUsers    pageableTable = tableUsers
	pagePosts    pageableTable = tablePosts
	pageComments pageableTable = tableComments
)

// pageableTables lists them, for the test.
var pageableTables = []pageableTable{pageUsers, pagePosts, pageComments}

// filters is the WHERE clause of a filtered list: the conditions of the
// filters that are set, ANDed, and their arguments.
type filters struct {
	conds []string
	args  []any
}

// add adds cond, with its one argument arg, when id is set (not 0).
func (f *filters) add(id int64, cond string) {
	if id != 0 {
		f.conds = append(f.conds, cond)
		f.args = append(f.args, id)
	}
}

// where is the conditions joined by AND; "" when no filter is set.
func (f *filters) where() string { return strings.Join(f.conds, " AND ") }

// narrow ANDs the filters into the WHERE clause of l, a list of the table
// whole; with no filter set, l is all of whole, which pageIDs may page.
func (f *filters) narrow(l *listSpec, whole pageableTable) {
	l.args = append(l.args, f.args...)
	if w := f.where(); w != "" {
		l.from += " AND " + w
	} else {
		l.whole = whole
	}
}

// listSpec is a list query: its rows, ordered by its key columns.
type listSpec struct {
	cols string // the SELECT list
	// from is FROM, joins and a WHERE clause (" WHERE 1 = 1" when nothing
	// filters), with its arguments.
	from  string
	args  []any
	id    string // the id column that orders the list, "p.id"
	time  string // the creation-time column that orders it for the time sorts, or ""
	score string // the relevance that orders a search by relevance, or ""
	// whole, when set, says that the list is all of that table (with no
	// argument to from), which pageIDs pages without walking the skip.
	whole pageableTable
}

// runList reads page p of the list l: one statement, and one more to
// count the list when p asks. The page is read with one row more than p's
// limit, to tell whether more rows follow.
func runList[T any](ctx context.Context, c conn, l listSpec, p blogd.Page, scan func(*sql.Rows, *T) error) (blogd.List[T], error) {
	var q string
	var args []any
	if l.whole != "" && p.After == nil && (p.Sort == "" || p.Sort == blogd.SortID) {
		q = c.d.pageIDs(l.whole) + "SELECT " + l.cols + l.from + " AND " + l.id + " IN (SELECT id FROM page_ids) ORDER BY " + l.id
		args = []any{p.Limit + 1, p.Skip}
	} else {
		cond, condArgs, tail, tailArgs := pageSQL(p, l.id, l.time, l.score)
		q = "SELECT " + l.cols + l.from
		if cond != "" {
			q += " AND " + cond
		}
		q += tail
		args = append(append(append(args, l.args...), condArgs...), tailArgs...)
	}
	rows, err := queryList(ctx, c, scan, q, args...)
	if err != nil {
		return blogd.List[T]{}, err
	}
	out := pageOf(rows, p)
	if p.Count {
		if _, err := c.queryRow(ctx, "SELECT count(*)"+l.from, l.args, &out.Total); err != nil {
			return blogd.List[T]{}, fmt.Errorf("count: %w", err)
		}
	}
	return out, nil
}

// pageSQL is the SQL of page p of a list ordered by idCol, or, for the time
// sorts, by timeCol then idCol, or, by relevance, by scoreCol (best, that
// is highest, first) then idCol. cond is the keyset condition that starts the
// page after p.After ("" without a cursor), to AND into the WHERE clause,
// with condArgs; tail is ORDER BY ... LIMIT ... [OFFSET ...], with
// tailArgs, asking one row more than the page (see pageOf).
func pageSQL(p blogd.Page, idCol, timeCol, scoreCol string) (cond string, condArgs []any, tail string, tailArgs []any) {
	dir, cmp := "", ">"
	if p.Sort.Desc() {
		dir, cmp = " DESC", "<"
	}
	order := idCol + dir
	if p.Sort == blogd.SortRelevance {
		order = scoreCol + " DESC, " + idCol
		if p.After != nil {
			cond = "(" + scoreCol + " < ? OR (" + scoreCol + " = ? AND " + idCol + " > ?))"
			condArgs = []any{p.After.Score, p.After.Score, p.After.ID}
		}
	} else if p.Sort.ByTime() {
		order = timeCol + dir + ", " + idCol + dir
		if p.After != nil {
			cond = "(" + timeCol + ", " + idCol + ") " + cmp + " (?, ?)"
			condArgs = []any{p.After.CreatedAt, p.After.ID}
		}
	} else if p.After != nil {
		cond = idCol + " " + cmp + " ?"
		condArgs = []any{p.After.ID}
	}
	tail = " ORDER BY " + order + " LIMIT ?"
	tailArgs = []any{p.Limit + 1}
	if p.After == nil && p.Skip > 0 {
		tail += " OFFSET ?"
		tailArgs = append(tailArgs, p.Skip)
	}
	return cond, condArgs, tail, tailArgs
}

// pageOf is the page of rows, read with one row more than p's limit: that
// row, when there, only tells that more rows follow.
func pageOf[T any](rows []T, p blogd.Page) blogd.List[T] {
	l := blogd.List[T]{Items: rows, Total: -1}
	if len(rows) > p.Limit {
		l.Items, l.More = rows[:p.Limit], true
	}
	return l
}
