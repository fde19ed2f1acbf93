package store

import (
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

// pageArgs appends the LIMIT and OFFSET arguments of p to args.
func pageArgs(p blogd.Page, args ...any) []any {
	return append(args, p.Limit, p.Skip)
}
