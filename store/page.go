package store

import "github.com/blogd/blogd"

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

// pageArgs appends the LIMIT and OFFSET arguments of p to args.
func pageArgs(p blogd.Page, args ...any) []any {
	return append(args, p.Limit, p.Skip)
}
