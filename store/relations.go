package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/blogd/blogd"
)

// The relation graph: every relation a read can embed, declared once. Each
// is one SQL form that loads the relation for a whole batch of parents in
// one statement, whatever the number of parents and rows: the cost of an
// embed is one statement per relation, at any depth.

// Resource names a kind of row that relations lead to and from.
type Resource string

// The resources of the graph.
const (
	ResourceUser     Resource = "user"
	ResourcePost     Resource = "post"
	ResourceComment  Resource = "comment"
	ResourceCategory Resource = "category"
	ResourceRole     Resource = "role"
	ResourceProfile  Resource = "profile"
)

// Relation is one edge of the graph.
type Relation struct {
	// Parent is the resource the relation leads from.
	Parent Resource
	// Name is the relation's name, the field it embeds as.
	Name string
	// Many: the relation is a list (ordered by id, limited per parent);
	// else one row or none.
	Many bool
	// Target is the resource of its rows.
	Target Resource

	// The relation's rows are those of table (under its alias) joined by
	// joins to the target's (under its alias, see targets); parent is
	// table's column holding the parent's id. For a many relation, order
	// is table's column that equals the target's id, in the order of an
	// index that starts with parent, and key the columns that identify a
	// row of table (see dialect.firstRows).
	table, joins, parent, order, key string
	// tables are the tables whose rows it embeds: table's, and those it
	// joins (set by init, from table and joins).
	tables []string

	// ref, for a one relation whose parent holds its row's id (a post's
	// user_id is its author), reads that id from a parent's row, and
	// whether the parent names a row at all. Such a relation is loaded by
	// those ids, each once (parent is then the target's own id column):
	// the guide's selectinload of a many-to-one, by the distinct keys. A
	// page of 20 posts by 3 authors reads 3 users, not 20 posts joined to
	// their users.
	ref func(blogd.Keyed) (id int64, has bool, err error)
}

// Ways a parent's row names the row of a one relation (see Relation.ref).
type (
	authorNamer interface{ AuthorRef() (int64, bool) }
	postNamer   interface{ PostRef() (int64, bool) }
	parentNamer interface{ ParentRef() (int64, bool) }
)

// by is the ref of a relation whose parents name its row by method m of
// the interface R.
func by[R any](m func(R) (int64, bool)) func(blogd.Keyed) (int64, bool, error) {
	return func(row blogd.Keyed) (int64, bool, error) {
		r, ok := row.(R)
		if !ok {
			return 0, false, fmt.Errorf("a %T names no row of this relation", row)
		}
		id, has := m(r)
		return id, has, nil
	}
}

// relations lists the relations of each resource, in the order the
// contract lists them.
var relations = map[Resource][]Relation{
	ResourceUser: {
		{Name: "profile", Target: ResourceProfile, table: "profiles pr", parent: "pr.user_id"},
		{Name: "posts", Many: true, Target: ResourcePost, table: "posts p", parent: "p.user_id", order: "p.id", key: "p.id"},
		{Name: "comments", Many: true, Target: ResourceComment, table: "comments c", parent: "c.user_id", order: "c.id", key: "c.id"},
		{Name: "roles", Many: true, Target: ResourceRole, table: "user_roles ur", joins: "JOIN roles x ON x.id = ur.role_id",
			parent: "ur.user_id", order: "ur.role_id", key: "ur.user_id, ur.role_id"},
	},
	ResourcePost: {
		{Name: "author", Target: ResourceUser, table: "users u", parent: "u.id", ref: by(authorNamer.AuthorRef)},
		{Name: "categories", Many: true, Target: ResourceCategory, table: "post_categories pc",
			joins: "JOIN categories x ON x.id = pc.category_id", parent: "pc.post_id", order: "pc.category_id", key: "pc.post_id, pc.category_id"},
		{Name: "comments", Many: true, Target: ResourceComment, table: "comments c", parent: "c.post_id", order: "c.id", key: "c.id"},
	},
	ResourceComment: {
		{Name: "author", Target: ResourceUser, table: "users u", parent: "u.id", ref: by(authorNamer.AuthorRef)},
		{Name: "post", Target: ResourcePost, table: "posts p", parent: "p.id", ref: by(postNamer.PostRef)},
		{Name: "parent", Target: ResourceComment, table: "comments c", parent: "c.id", ref: by(parentNamer.ParentRef)},
		{Name: "replies", Many: true, Target: ResourceComment, table: "comments c", parent: "c.parent_id", order: "c.id", key: "c.id"},
	},
	ResourceCategory: {
		{Name: "posts", Many: true, Target: ResourcePost, table: "post_categories pc", joins: "JOIN posts p ON p.id = pc.post_id",
			parent: "pc.category_id", order: "pc.post_id", key: "pc.post_id, pc.category_id"},
	},
	ResourceRole: {
		{Name: "users", Many: true, Target: ResourceUser, table: "user_roles ur", joins: "JOIN users u ON u.id = ur.user_id",
			parent: "ur.role_id", order: "ur.user_id", key: "ur.user_id, ur.role_id"},
	},
}

// init completes each relation with what its declaration implies: its
// parent, and the tables it reads (their versions tell whether kept rows
// are still the tables' state).
func init() {
	for r, rels := range relations {
		for i := range rels {
			rels[i].Parent = r
			rels[i].tables = rels[i].readTables()
		}
	}
}

// Relations returns the relations of a resource, in the contract's order.
func Relations(r Resource) []Relation { return slices.Clone(relations[r]) }

// RelationOf returns the relation of r named name.
func RelationOf(r Resource, name string) (Relation, bool) {
	for _, rel := range relations[r] {
		if rel.Name == name {
			return rel, true
		}
	}
	return Relation{}, false
}

// target is how the rows of a resource are read in a relation: its columns
// under its alias in the relation's FROM clause, its id column (the order of
// many relations), and its scanner.
type target struct {
	cols, id string
	// scanner returns the destinations of a row of the statement (the
	// parent's id, then the target's columns) and what was last scanned
	// into them, as a row of its own. One set of destinations serves all
	// the rows of a statement: a row costs one allocation, its copy, not a
	// slice of destinations and a value each.
	scanner func(parent *int64) (dest []any, row func() blogd.Keyed)
}

// scanInto is the scanner of a target whose row v is scanned into dest.
func scanInto[T blogd.Keyed](v *T, parent *int64, dest ...any) ([]any, func() blogd.Keyed) {
	return append([]any{parent}, dest...), func() blogd.Keyed { return *v }
}

var targets = map[Resource]target{
	ResourceUser: {cols: userColumns, id: "u.id", scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
		var u blogd.User
		return scanInto(&u, parent, userDest(&u)...)
	}},
	ResourcePost: {cols: plainPostColumns, id: "p.id", scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
		var p blogd.Post
		return scanInto(&p, parent, &p.ID, &p.Title, &p.Content, &p.UserID, ts(&p.CreatedAt), ts(&p.UpdatedAt))
	}},
	ResourceComment: {cols: commentColumns, id: "c.id", scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
		var cm blogd.Comment
		return scanInto(&cm, parent, commentDest(&cm)...)
	}},
	// A post's categories carry the association's created_at, as linked_at.
	ResourceCategory: {cols: namedColumns + ", tstext(pc.created_at)", id: "x.id",
		scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
			var lc blogd.LinkedCategory
			return scanInto(&lc, parent, append(categoryDest(&lc.Category), ts(&lc.LinkedAt))...)
		}},
	ResourceRole: {cols: namedColumns, id: "x.id", scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
		var r blogd.Role
		return scanInto(&r, parent, &r.ID, &r.Name, &r.Description, ts(&r.UpdatedAt))
	}},
	ResourceProfile: {cols: "pr.id, pr.user_id, pr.bio, pr.location, tstext(pr.updated_at)", id: "pr.id",
		scanner: func(parent *int64) ([]any, func() blogd.Keyed) {
			var p blogd.Profile
			return scanInto(&p, parent, &p.ID, &p.UserID, &p.Bio, &p.Location, ts(&p.UpdatedAt))
		}},
}

// Embedded is what a relation holds for one parent: its rows (at most one
// for a one relation; for a many relation at most the limit, by id), and
// whether more rows follow those. Where the store keeps embedded rows (on
// SQLite) they are *KeptRow, already written as JSON; elsewhere, values
// such as blogd.User.
type Embedded struct {
	Rows []blogd.Keyed
	More bool
}

// Embed loads relation rel for parents, in one statement: for a many
// relation at most limit rows per parent, ordered by id, the limit applied
// in SQL per parent (dialect.firstRows), so that a parent with many rows
// costs no more than one with few; a one relation that its parents name
// by id is read once per distinct id, and parents naming the same row
// share it. The answer holds what each parent embeds, in the order of
// parents, empty when it has no row. Its rows may be shared with other
// reads (see embedCache) and must not be changed. The relations of one
// read are embedded best by one Embedding (NewEmbedding).
func (s *Store) Embed(ctx context.Context, rel Relation, parents []blogd.Keyed, limit int) ([]*Embedded, error) {
	return s.NewEmbedding().Embed(ctx, rel, parents, limit)
}

// Embedding embeds the relations of one read. On SQLite each statement
// also reads the version of every table, and a later relation whose rows
// are kept at those versions is served without a statement: the read's
// relations then reflect the database as of its last statement, as each
// of them would if read anew.
type Embedding struct {
	s *Store
	// versions are the tables' versions as the last statement read them,
	// nil before the first.
	versions map[string]int64
}

// NewEmbedding returns an Embedding for one read.
func (s *Store) NewEmbedding() *Embedding { return &Embedding{s: s} }

// Embed is Store.Embed, within the Embedding's read.
func (em *Embedding) Embed(ctx context.Context, rel Relation, parents []blogd.Keyed, limit int) ([]*Embedded, error) {
	// What the statement reads by: the parents' ids, or the rows they name.
	ids := make([]int64, len(parents))
	named := make([]bool, len(parents))
	for i, p := range parents {
		if rel.ref == nil {
			ids[i], named[i] = p.Key().ID, true
			continue
		}
		var err error
		if ids[i], named[i], err = rel.ref(p); err != nil {
			return nil, fmt.Errorf("embed %s: %w", rel.Name, err)
		}
	}
	distinct := make([]int64, 0, len(ids))
	for i, id := range ids {
		if named[i] {
			distinct = append(distinct, id)
		}
	}
	slices.Sort(distinct)
	byID, err := em.embedByID(ctx, rel, slices.Compact(distinct), limit)
	if err != nil {
		return nil, fmt.Errorf("embed %s: %w", rel.Name, err)
	}
	out := make([]*Embedded, len(parents))
	var none *Embedded // what the parents without rows embed, shared
	for i, id := range ids {
		if out[i] = byID[id]; out[i] == nil || !named[i] {
			if none == nil {
				none = &Embedded{}
			}
			out[i] = none
		}
	}
	return out, nil
}

// embedByID reads what relation rel holds for each of ids: the parents'
// own ids, or for a relation its parents name, the ids they name. On
// SQLite, what the cache holds at the tables' current version is served
// instead (embedCache).
func (em *Embedding) embedByID(ctx context.Context, rel Relation, ids []int64, limit int) (map[int64]*Embedded, error) {
	s := em.s
	if len(ids) == 0 {
		return nil, nil
	}
	if !rel.Many {
		limit = 0
	}
	t := targets[rel.Target]
	c := s.reader(ctx)
	var q string
	if rel.Many {
		q = c.d.firstRows(rel, t.cols)
	} else {
		q = `SELECT ` + rel.parent + `, ` + t.cols + ` FROM ` + rel.table + ` ` + rel.joins +
			` WHERE ` + rel.parent + ` IN (` + idsFrom + `)`
	}
	var parent int64
	dest, scanned := t.scanner(&parent)
	kept, keptVersion, missing := s.embeds.lookup(rel, ids, limit)
	if len(missing) == 0 && em.versions != nil {
		if v, err := rel.version(em.versions); err == nil && v == keptVersion {
			return kept, nil
		}
	}
	var args []any
	if s.embeds != nil {
		q = embedStatement(rel, q, len(dest))
		args = []any{c.d.ids(missing), c.d.ids(slices.Collect(maps.Keys(kept))), keptVersion}
	} else {
		args = []any{c.d.ids(ids)}
	}
	if rel.Many {
		// One row more than the limit tells whether more follow.
		args = append(args, limit+1)
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	version, read := int64(-1), ids // the version read, and the ids whose rows the statement reads
	if s.embeds != nil {
		if em.versions, err = scanVersions(rows, len(dest)); err != nil {
			return nil, err
		}
		if version, err = rel.version(em.versions); err != nil {
			return nil, err
		}
		if version == keptVersion {
			read = missing
		}
	}
	byID := make(map[int64]*Embedded, len(ids))
	for _, id := range read {
		byID[id] = &Embedded{}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		e := byID[parent]
		if e == nil {
			return nil, fmt.Errorf("a row of %d, which was not asked for", parent)
		}
		e.Rows = append(e.Rows, scanned())
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rel.Many {
		for _, e := range byID {
			slices.SortFunc(e.Rows, func(a, b blogd.Keyed) int { return cmp.Compare(a.Key().ID, b.Key().ID) })
			if len(e.Rows) > limit {
				e.Rows, e.More = e.Rows[:limit], true
			}
		}
	}
	if s.embeds != nil {
		for _, e := range byID {
			if err := keepRows(e); err != nil {
				return nil, err
			}
		}
		s.embeds.keep(rel, limit, version, byID)
	}
	if len(read) < len(ids) { // what the cache kept is still the tables' state
		maps.Copy(byID, kept)
	}
	return byID, nil
}

// scanVersions reads the first row of an embedStatement: the version of
// every table.
func scanVersions(rows *sql.Rows, columns int) (map[string]int64, error) {
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("no versions of the tables read")
	}
	var first int64
	var all string
	var rest any
	dest := make([]any, columns)
	dest[0], dest[1] = &first, &all
	for i := 2; i < columns; i++ {
		dest[i] = &rest
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	if first >= 0 {
		return nil, fmt.Errorf("the first row read is not the tables' versions but parent %d", first)
	}
	return parseVersions(all)
}
