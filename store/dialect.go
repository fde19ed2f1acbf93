package store

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/search"
	"github.com/pressly/goose/v3"
)

// dialect is what differs between the databases the store speaks. Queries
// are written once, with ? placeholders and the idtable(?) marker, and each
// dialect rewrites them the first time they run; the pool keeps the result
// (a prepared statement on SQLite, the rewritten text on PostgreSQL, whose
// driver prepares and caches statements itself).
type dialect interface {
	// name is the dialect's folder of migrations.
	name() string
	// goose is the dialect's name in goose, the migration library.
	goose() goose.Dialect
	// rebind rewrites a query for the database: placeholders, the
	// idtable(?) marker, a one-column table named value holding a list of
	// ids, and the tstext(column) marker, a timestamp column read as it is
	// stored (see timestamp).
	rebind(query string) string
	// ids encodes a list of ids as the argument of idtable(?).
	ids(ids []int64) any
	// pageIDs returns a WITH clause naming page_ids(id) the ids of one page
	// of a whole table: the limit ids that follow the first skip ids in id
	// order (page_ids itself is unordered). Its arguments are the page's
	// limit and skip, in that order, as pageArgs gives them.
	pageIDs(table pageableTable) string
	// firstRows returns a query of the first rows of many relation rel for
	// each parent in idtable(?), at most its second argument per parent:
	// the parent's id and then cols, in no order. Each parent's rows are one
	// short range of the index on rel's parent column, so that a parent
	// with many rows costs no more than one with few.
	firstRows(rel Relation, cols string) string
	// searchPosts returns the FROM clause of a search of posts for q (posts
	// under alias p, and what the search needs), the condition that keeps
	// the posts found (to start the WHERE clause with), their relevance
	// (higher is better), and the arguments.
	searchPosts(q search.Query) (from, match, score string, args []any)
	// wrap turns constraint violations into domain errors and leaves other
	// errors as they are.
	wrap(err error) error
	// retryable reports whether a transaction that failed with err may be
	// run again: a deadlock or serialization failure that another
	// transaction caused, not a fault of this one.
	retryable(err error) bool
}

// constraintErrs names, for each uniqueness constraint, the error a client
// gets when a change would break it.
var constraintErrs = map[string]*blogd.Error{
	"users_username_key":       blogd.ErrUsernameTaken,
	"users_username_lower_key": blogd.ErrUsernameTaken,
	"users_email_key":          blogd.ErrEmailTaken,
	"categories_name_key":      blogd.ErrCategoryNameTaken,
	"roles_name_key":           blogd.ErrRoleNameTaken,
	"profiles_user_id_key":     blogd.ErrProfileExists,
}

// conflict wraps err, a violation of the uniqueness constraint named name,
// in the constraint's domain error (blogd.ErrAlreadyExists when it has
// none).
func conflict(name string, err error) error {
	e, ok := constraintErrs[name]
	if !ok {
		e = blogd.ErrAlreadyExists
	}
	return fmt.Errorf("%w: %w", e, err)
}

// jsonIDs encodes ids as a JSON array without reflection.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// uniqueIDs returns ids without repeats, in first-seen order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]struct{}, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// tsTextRe matches the tstext(column) marker of the query texts.
var tsTextRe = regexp.MustCompile(`tstext\(([a-z_.]+)\)`)

// replaceTSText rewrites every tstext(column) marker with repl, in which $1
// is the column.
func replaceTSText(query, repl string) string {
	if !strings.Contains(query, "tstext(") {
		return query
	}
	return tsTextRe.ReplaceAllString(query, repl)
}

// replaceIDTable swaps every idtable(?) marker in query for repl.
func replaceIDTable(query, repl string) string {
	return strings.ReplaceAll(query, "idtable(?)", repl)
}
