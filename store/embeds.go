package store

import (
	"strings"
	"sync"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/bounded"
)

// embedCache keeps, on SQLite, the rows that Embed read for each parent, at
// the version of the tables they came from: table_versions, which
// triggers move in every writing transaction (migration 00010). Reading an
// embedded row through the driver costs about 0.3 µs a value, so a read
// that embeds a hundred comments and their authors costs five times one
// that does not; a blog's comments and authors are read far more often
// than they change.
//
// Embed still runs its one statement for a relation whatever the cache
// holds: that statement reads the tables' version first, in the same
// snapshot, and reads the rows only when the version is not the one kept
// (embedStatement). So a row served from the cache is the row as the
// statement would have read it, never older, whoever wrote to the file.
// PostgreSQL has no cache: there every writer to a table would wait on its
// version's row.
type embedCache struct {
	mu   sync.Mutex
	kept *bounded.Map[embedKey, embedEntry]
}

// embedKey names what one parent's relation holds: the relation, the id
// the statement reads by (the parent's, or the row a parent names), and
// the per-parent limit of a many relation.
type embedKey struct {
	rel   string // parent.name
	id    int64
	limit int
}

// embedEntry is what embedKey held at a version of the relation's tables.
type embedEntry struct {
	version int64
	e       *Embedded
}

// DefaultEmbedCacheBytes bounds the embedded rows kept when Options leave
// it unset: about the comments, authors and categories that a page of
// every post of the harness's default dataset embeds.
const DefaultEmbedCacheBytes = 8 << 20

// newEmbedCache returns a cache of at most maxBytes of rows, or nil (no
// cache) for a bound below zero.
func newEmbedCache(maxBytes int) *embedCache {
	if maxBytes < 0 {
		return nil
	}
	if maxBytes == 0 {
		maxBytes = DefaultEmbedCacheBytes
	}
	return &embedCache{kept: bounded.New(maxBytes, embedEntryBytes)}
}

// lookup returns what the cache holds for every id of relation rel, and
// the version it was read at, when it holds them all at one version.
func (c *embedCache) lookup(rel Relation, ids []int64, limit int) (map[int64]*Embedded, int64, bool) {
	if c == nil {
		return nil, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[int64]*Embedded, len(ids))
	path := rel.path()
	var version int64
	for i, id := range ids {
		got, ok := c.kept.Get(embedKey{path, id, limit})
		if !ok || (i > 0 && got.version != version) {
			return nil, 0, false
		}
		version = got.version
		out[id] = got.e
	}
	return out, version, true
}

// keep keeps what relation rel holds for each id, read at version.
func (c *embedCache) keep(rel Relation, limit int, version int64, byID map[int64]*Embedded) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	path := rel.path()
	for id, e := range byID {
		c.kept.Put(embedKey{path, id, limit}, embedEntry{version, e})
	}
}

// embedEntryBytes is about what keeping an entry costs: the entry, and each
// row's value and text.
func embedEntryBytes(_ embedKey, v embedEntry) int {
	n := 96
	for _, row := range v.e.Rows {
		n += 16 + rowBytes(row)
	}
	return n
}

// rowBytes is about the size of an embedded row and its text.
func rowBytes(row blogd.Keyed) int {
	switch r := row.(type) {
	case blogd.User:
		return 80 + len(r.Username) + len(r.Email)
	case blogd.Post:
		return 96 + len(r.Title) + len(r.Content)
	case blogd.Comment:
		return 104 + len(r.Content)
	case blogd.LinkedCategory:
		return 104 + len(r.Name) + len(r.Description)
	case blogd.Role:
		return 80 + len(r.Name) + len(r.Description)
	case blogd.Profile:
		return 88 + len(r.Bio) + len(r.Location)
	}
	return 256
}

// embedStatement turns q, a statement of Embed that reads by the ids of
// idtable(?), into one that first answers one row holding the version of
// the relation's tables (its first column -1 - version, negative where a
// parent's id is not, the others NULL), then q's rows only when that
// version is not the next argument after the ids: the kept rows' version,
// or -1 to read them anyway. The version and the rows come from one
// snapshot.
func embedStatement(rel Relation, q string, columns int) string {
	var names []string
	for _, t := range rel.tables() {
		names = append(names, "'"+t+"'")
	}
	return `WITH v(n) AS (SELECT sum(version) FROM table_versions WHERE name IN (` + strings.Join(names, ", ") + `))
		SELECT -1 - n` + strings.Repeat(", NULL", columns-1) + ` FROM v
		UNION ALL ` + strings.Replace(q, idsFrom, idsFrom+` WHERE ? <> (SELECT n FROM v)`, 1)
}

// idsFrom is how Embed's statements read the ids they are for.
const idsFrom = "SELECT value FROM idtable(?)"

// tables names the tables whose rows relation rel embeds: its table and
// those it joins.
func (rel Relation) tables() []string {
	names := []string{strings.Fields(rel.table)[0]}
	f := strings.Fields(rel.joins)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "JOIN" {
			names = append(names, f[i+1])
		}
	}
	return names
}

// path names the relation as parent.name.
func (rel Relation) path() string { return string(rel.Parent) + "." + rel.Name }
