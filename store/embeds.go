package store

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/bounded"
	"github.com/blogd/blogd/internal/rowjson"
)

// embedCache keeps, on SQLite, the rows that Embed read for each parent, at
// the version of the tables they came from: table_versions, which
// triggers move in every writing transaction (migration 00010). Reading an
// embedded row through the driver costs about 0.3 µs a value, so a read
// that embeds a hundred comments and their authors costs five times one
// that does not; a blog's comments and authors are read far more often
// than they change.
//
// A relation's statement reads every table's version first, in the same
// snapshot as its rows, and reads the rows of the parents the cache holds
// only when their tables' version moved (embedStatement); the later
// relations of the same read (Embedding) are checked against those
// versions, and run no statement when the cache holds all their rows. So
// a row served from the cache is the row as a statement would have read
// it then, never older, whoever wrote to the file.
// PostgreSQL has no cache: there every writer to a table would wait on its
// version's row.
//
// The cache pays only where reads come back to the rows it holds. Once it
// is full it counts, for each relation over each window of ids looked up,
// how many it held; when fewer than half (that relation's reads range
// wider than the cache can hold: comments of a dataset many times its
// size, read evenly, while their authors are few and read again and
// again), it drops what it holds of that relation and keeps none of it
// while the next embedRest ids are looked up, then tries again. Rows kept
// in vain cost the collector: blogd's heap has a soft limit
// (--memory-limit), and at the harness's 10x dataset an 8 MiB cache that
// held a tenth of what was read cut posts_include to a quarter
// (docs/performance.md).
type embedCache struct {
	mu       sync.Mutex
	kept     *bounded.Map[embedKey, embedEntry]
	maxBytes int
	// judged is each relation's judgment, by its path.
	judged map[string]*judgment
}

// judgment counts, for one relation, the ids looked up in the current
// window while the cache is full and those it held; resting counts down
// the ids looked up while the cache keeps none of the relation's rows.
type judgment struct{ looked, found, resting int }

// The cache's judgment of itself (see embedCache).
const (
	embedWindow   = 1 << 12 // ids looked up, while full, between judgments
	embedRest     = 1 << 20 // ids looked up while keeping nothing
	minFoundShare = 2       // at least one id in this many must be found
)

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
// it unset: about all that posts_include and user_include embed from the
// harness's default dataset (2,000 posts' comments and categories, 200
// authors and their posts), as JSON. blogd serve's soft limit of the heap
// is set to leave the collector room above it.
const DefaultEmbedCacheBytes = 6 << 20

// newEmbedCache returns a cache of at most maxBytes of rows, or nil (no
// cache) for a bound below zero.
func newEmbedCache(maxBytes int) *embedCache {
	if maxBytes < 0 {
		return nil
	}
	if maxBytes == 0 {
		maxBytes = DefaultEmbedCacheBytes
	}
	return &embedCache{kept: bounded.New(maxBytes, embedEntryBytes), maxBytes: maxBytes, judged: map[string]*judgment{}}
}

// lookup returns what the cache holds of relation rel for ids, all at one
// version (that of the first id it holds; -1 when it holds none), and the
// ids it does not hold at that version.
func (c *embedCache) lookup(rel Relation, ids []int64, limit int) (kept map[int64]*Embedded, version int64, missing []int64) {
	version = -1
	if c == nil {
		return nil, version, ids
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	path := rel.path()
	j := c.judgmentOf(path)
	if j.resting > 0 {
		j.resting -= len(ids)
		return nil, version, ids
	}
	defer func() { c.judge(path, j, len(ids), len(kept)) }()
	for _, id := range ids {
		got, ok := c.kept.Get(embedKey{path, id, limit})
		if ok && kept == nil {
			kept, version = make(map[int64]*Embedded, len(ids)), got.version
		}
		if !ok || got.version != version {
			missing = append(missing, id)
			continue
		}
		kept[id] = got.e
	}
	return kept, version, missing
}

// judgmentOf returns the judgment of the relation at path. c.mu is held.
func (c *embedCache) judgmentOf(path string) *judgment {
	j := c.judged[path]
	if j == nil {
		j = &judgment{}
		c.judged[path] = j
	}
	return j
}

// judge counts a lookup of n ids of the relation at path, of which found
// were held, when the cache is full, and at the end of a window in which
// it found too few, drops what it holds of the relation, which then rests.
// c.mu is held.
func (c *embedCache) judge(path string, j *judgment, n, found int) {
	if c.kept.Bytes() < c.maxBytes*9/10 {
		return // still filling: not judged yet
	}
	j.looked += n
	j.found += found
	if j.looked < embedWindow {
		return
	}
	if j.found*minFoundShare < j.looked {
		c.kept.DeleteFunc(func(k embedKey, _ embedEntry) bool { return k.rel == path })
		j.resting = embedRest
	}
	j.looked, j.found = 0, 0
}

// keep keeps what relation rel holds for each id, read at version.
func (c *embedCache) keep(rel Relation, limit int, version int64, byID map[int64]*Embedded) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	path := rel.path()
	if c.judgmentOf(path).resting > 0 {
		return
	}
	for id, e := range byID {
		c.kept.Put(embedKey{path, id, limit}, embedEntry{version, e})
	}
}

// EmbedCacheSize reports how many relations' rows the store keeps between
// reads, and about how many bytes they take: none on PostgreSQL or with
// the cache turned off.
func (s *Store) EmbedCacheSize() (entries, bytes int) {
	c := s.embeds
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kept.Len(), c.kept.Bytes()
}

// embedEntryBytes is about what keeping an entry costs: the entry, and each
// row's place in it, value and JSON.
func embedEntryBytes(_ embedKey, v embedEntry) int {
	n := 96
	for _, row := range v.e.Rows {
		n += 16
		if k, ok := row.(*KeptRow); ok {
			n += int(unsafe.Sizeof(*k)) + len(k.json)
		}
	}
	return n
}

// embedStatement turns q, a statement of Embed that reads by the ids of
// idtable(?), into one that first answers one row holding the version of
// every table (its first column -1, negative where a parent's id is not;
// its second "name version name version ..."; the others NULL), then q's
// rows for two lists of ids, its first two arguments: those the cache
// lacks, always, and those it keeps, only when the version of the
// relation's tables is not the third argument, theirs. The versions and
// the rows come from one snapshot, and SQLite checks the version once,
// before it reads any row.
func embedStatement(rel Relation, q string, columns int) string {
	var names []string
	for _, t := range rel.tables {
		names = append(names, "'"+t+"'")
	}
	return `SELECT -1, (SELECT group_concat(name || ' ' || version, ' ') FROM table_versions)` +
		strings.Repeat(", NULL", columns-2) + `
		UNION ALL ` + strings.Replace(q, idsFrom, idsFrom+` UNION ALL `+idsFrom+
		` WHERE ? <> (SELECT sum(version) FROM table_versions WHERE name IN (`+strings.Join(names, ", ")+`))`, 1)
}

// parseVersions reads the versions of the tables as embedStatement
// answers them.
func parseVersions(all string) (map[string]int64, error) {
	f := strings.Fields(all)
	if len(f)%2 != 0 {
		return nil, fmt.Errorf("versions of the tables %q: not pairs of a name and a number", all)
	}
	versions := make(map[string]int64, len(f)/2)
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("versions of the tables %q: %w", all, err)
		}
		versions[f[i]] = v
	}
	return versions, nil
}

// version is the version of the tables of relation rel, of versions: their
// sum, which moves whenever one of them does. A table that versions lack
// (one that migration 00010 does not count) is an error, not a version
// that never moves.
func (rel Relation) version(versions map[string]int64) (int64, error) {
	var n int64
	for _, t := range rel.tables {
		v, ok := versions[t]
		if !ok {
			return 0, fmt.Errorf("%s: table %s has no version", rel.path(), t)
		}
		n += v
	}
	return n, nil
}

// idsFrom is how Embed's statements read the ids they are for.
const idsFrom = "SELECT value FROM idtable(?)"

// readTables reads, from its declaration, the tables whose rows relation
// rel embeds: its table and those it joins.
func (rel Relation) readTables() []string {
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

// KeptRow is an embedded row as the cache keeps it: its JSON object,
// written once when it was read, and only what the relations below it read
// from it. A read that embeds it writes it without encoding it again, and
// it costs the heap and the collector little more than its value did: the
// JSON of a relation's rows is one array, with no pointer in it.
type KeptRow struct {
	id int64
	// refs are the rows it names, in the order of the bits of has: its
	// author (1), its post (2), the comment it replies to (4).
	refs [3]int64
	has  uint8
	// private is the part of json that only the row's owner (a user, the
	// row itself) and admins see: a user's email; empty when the row has
	// no private field.
	private [2]int32
	// json is the row's object with its private fields; it is shared by
	// every read of the row and never changed.
	json []byte
}

// setRef records the row that r names in place i of refs, if it names one.
func (r *KeptRow) setRef(i int, id int64, has bool) {
	if has {
		r.refs[i], r.has = id, r.has|1<<i
	}
}

// ref returns the row that r names in place i of refs.
func (r *KeptRow) ref(i int) (int64, bool) { return r.refs[i], r.has&(1<<i) != 0 }

// Key is the row's position in its relation, which orders by id.
func (r *KeptRow) Key() blogd.Key { return blogd.Key{ID: r.id} }

// AuthorRef is the row's author, as its value named them.
func (r *KeptRow) AuthorRef() (int64, bool) { return r.ref(0) }

// PostRef is the row's post, as its value named it.
func (r *KeptRow) PostRef() (int64, bool) { return r.ref(1) }

// ParentRef is the comment the row replies to, as its value named it.
func (r *KeptRow) ParentRef() (int64, bool) { return r.ref(2) }

// JSON returns the row's object with its private fields. It is shared with
// every read of the row and must not be changed.
func (r *KeptRow) JSON() []byte { return r.json }

// Owner returns the user who, with admins, may see the row's private
// fields, and false when it has none.
func (r *KeptRow) Owner() (int64, bool) { return r.id, r.private[0] < r.private[1] }

// AppendPublic appends the row's object without its private fields to b.
func (r *KeptRow) AppendPublic(b []byte) []byte {
	return append(append(b, r.json[:r.private[0]]...), r.json[r.private[1]:]...)
}

// keepRows turns the rows of e, as read, into the form the cache keeps.
func keepRows(e *Embedded) error {
	if len(e.Rows) == 0 {
		return nil
	}
	kept := make([]KeptRow, len(e.Rows))
	ends := make([]int, len(e.Rows))
	var all, public []byte // every row's JSON; a user's without the email
	for i, row := range e.Rows {
		k := &kept[i]
		k.id = row.Key().ID
		if r, ok := row.(authorNamer); ok {
			id, has := r.AuthorRef()
			k.setRef(0, id, has)
		}
		if r, ok := row.(postNamer); ok {
			id, has := r.PostRef()
			k.setRef(1, id, has)
		}
		if r, ok := row.(parentNamer); ok {
			id, has := r.ParentRef()
			k.setRef(2, id, has)
		}
		start := len(all)
		var err error
		if all, err = rowjson.Append(all, row); err != nil {
			return fmt.Errorf("encode %T: %w", row, err)
		}
		ends[i] = len(all)
		if u, ok := row.(blogd.User); ok && u.Email != "" {
			if public, err = rowjson.Append(public[:0], u.Public()); err != nil {
				return fmt.Errorf("encode %T: %w", row, err)
			}
			from, to, ok := privatePart(all[start:], public)
			if !ok {
				return fmt.Errorf("user %d: the JSON without the email is not the JSON less one part", u.ID)
			}
			k.private = [2]int32{int32(from), int32(to)}
		}
	}
	for i := range kept {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		kept[i].json = all[start:ends[i]:ends[i]]
		e.Rows[i] = &kept[i]
	}
	return nil
}

// privatePart finds the part of whole that public lacks: whole is public
// with whole[from:to] inserted.
func privatePart(whole, public []byte) (from, to int, ok bool) {
	n := len(whole) - len(public)
	if n <= 0 {
		return 0, 0, false
	}
	for from < len(public) && whole[from] == public[from] {
		from++
	}
	to = from + n
	return from, to, bytes.Equal(whole[to:], public[from:])
}
