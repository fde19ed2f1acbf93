package api

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/rowjson"
	"github.com/blogd/blogd/store"
	"github.com/danielgtaylor/huma/v2"
)

// Relations on request: a read's include names dot paths of the relation
// graph (store/relations.go) to embed in each resource it returns. Each
// relation of a path is loaded for every parent at once, one statement per
// relation, however many rows and however deep.

// The bounds of include.
const (
	maxIncludeDepth = 3
	maxIncludePaths = 8
)

// IncludeQuery is the include of a read.
type IncludeQuery struct {
	Include      string `query:"include" maxLength:"1000" doc:"relations to embed, comma-separated dot paths such as author,comments.author (at most 8 paths, 3 deep); see the operation's description for those it has"`
	IncludeLimit int    `query:"include_limit" minimum:"1" maximum:"100" default:"10" doc:"most rows of each embedded list, per parent, by id; <name>_next continues a longer one"`

	nodes []*includeNode // the parsed include (Resolve)
}

// resourceKey is the key, in the metadata of a read that takes include, of
// the resource it reads (documentIncludes sets it).
const resourceKey = "blogd.resource"

// Resolve parses the include against the relations of the resource that
// the operation reads, so that a bad path is a 422 with the other input
// errors, before the handler runs.
func (q *IncludeQuery) Resolve(ctx huma.Context) []error {
	res, _ := ctx.Operation().Metadata[resourceKey].(store.Resource)
	nodes, err := parseInclude(res, q.Include)
	if err != nil {
		return []error{err}
	}
	q.nodes = nodes
	return nil
}

// includeNode is one relation to embed, and those to embed in its rows.
type includeNode struct {
	rel      store.Relation
	children []*includeNode
}

// parseInclude reads the include of a read of resource res: nil for none;
// a 422 at query.include for a path the graph does not have, one deeper
// than maxIncludeDepth, or more than maxIncludePaths paths.
func parseInclude(res store.Resource, include string) ([]*includeNode, error) {
	if include == "" {
		return nil, nil
	}
	paths := strings.Split(include, ",")
	if len(paths) > maxIncludePaths {
		return nil, includeError(include, fmt.Sprintf("at most %d paths, not %d", maxIncludePaths, len(paths)))
	}
	var roots []*includeNode
	for _, path := range paths {
		names := strings.Split(strings.TrimSpace(path), ".")
		if len(names) > maxIncludeDepth {
			return nil, includeError(include, fmt.Sprintf("%q is %d relations deep; at most %d", path, len(names), maxIncludeDepth))
		}
		level, at := &roots, res
		for _, name := range names {
			rel, ok := store.RelationOf(at, name)
			if !ok {
				return nil, includeError(include, unknownRelation(at, name))
			}
			i := slices.IndexFunc(*level, func(n *includeNode) bool { return n.rel.Name == name })
			if i < 0 {
				*level = append(*level, &includeNode{rel: rel})
				i = len(*level) - 1
			}
			level, at = &(*level)[i].children, rel.Target
		}
	}
	return roots, nil
}

// unknownRelation says that resource res has no relation name, and which it
// has.
func unknownRelation(res store.Resource, name string) string {
	var have []string
	for _, r := range store.Relations(res) {
		have = append(have, r.Name)
	}
	if len(have) == 0 {
		return fmt.Sprintf("%s has no relation %q: it has none to embed", res, name)
	}
	return fmt.Sprintf("%s has no relation %q; it has %s", res, name, strings.Join(have, ", "))
}

func includeError(include, msg string) error {
	return &huma.ErrorDetail{Location: "query.include", Message: msg, Value: include}
}

// includeDoc describes the relations that a read of res can embed, for the
// operation's description.
func includeDoc(res store.Resource) string {
	var b strings.Builder
	b.WriteString("`include` embeds relations (at most one statement each, whatever the rows): ")
	seen := map[store.Resource]bool{}
	var describe func(r store.Resource, depth int)
	describe = func(r store.Resource, depth int) {
		if seen[r] || depth > maxIncludeDepth {
			return
		}
		seen[r] = true
		rels := store.Relations(r)
		if len(rels) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s has ", r)
		for i, rel := range rels {
			if i > 0 {
				b.WriteString(", ")
			}
			kind := "one " + string(rel.Target)
			if rel.Many {
				kind = "many " + string(rel.Target)
			}
			fmt.Fprintf(&b, "`%s` (%s)", rel.Name, kind)
		}
		b.WriteString("; ")
		for _, rel := range rels {
			describe(rel.Target, depth+1)
		}
	}
	describe(res, 1)
	b.WriteString("a path such as `a.b` embeds `a`, and `b` in each of its rows (at most 3 deep, 8 paths).")
	return b.String()
}

// read is one resource as a read answers it: its own JSON object, and the
// relations embedded in it, in the order include named them.
type read struct {
	self  []byte      // the resource's JSON object
	row   blogd.Keyed // the resource, for the rows it names (store.Embed)
	embed []embedded
}

// embedded is one relation embedded in a read: one row or none, or a list
// and the address of the list that continues it.
type embedded struct {
	node *includeNode
	one  *read
	list []*read
	next string // "" when the list is complete
}

// Key is the position of the read's resource in a sorted list.
func (r *read) Key() blogd.Key { return r.row.Key() }

// id is the id of the read's resource.
func (r *read) id() int64 { return r.row.Key().ID }

// MarshalJSON writes the resource's object with the embedded relations
// added as fields.
func (r *read) MarshalJSON() ([]byte, error) { return r.appendJSON(nil), nil }

// appendJSON appends the resource's object, with the embedded relations
// added as fields, to b: a whole answer is written into one buffer, with no
// copy of an embedded object into its parent's.
func (r *read) appendJSON(b []byte) []byte {
	if len(r.embed) == 0 {
		return append(b, r.self...)
	}
	b = append(b, r.self[:len(r.self)-1]...) // without its closing brace
	for _, e := range r.embed {
		rel := &e.node.rel
		b = append(b, ',')
		b = strconv.AppendQuote(b, rel.Name)
		b = append(b, ':')
		switch {
		case !rel.Many && e.one == nil:
			b = append(b, "null"...)
		case !rel.Many:
			b = e.one.appendJSON(b)
		default:
			b = append(b, '[')
			for i, row := range e.list {
				if i > 0 {
					b = append(b, ',')
				}
				b = row.appendJSON(b)
			}
			b = append(b, "],"...)
			b = strconv.AppendQuote(b, rel.Name+"_next")
			b = append(b, ':')
			if e.next == "" {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendQuote(b, e.next)
			}
		}
	}
	return append(b, '}')
}

// readAlloc holds the memory of one answer's reads. Their JSON is encoded
// into shared chunks and the reads are allocated in blocks, so that an
// answer of hundreds of rows (a page of posts with their comments and their
// authors) costs a few allocations, not two or three per row: the garbage
// of such answers was most of the collector's work. Chunks and blocks start
// small and double, so that an answer of one row costs no more than it did
// with allocations of its own.
type readAlloc struct {
	json  []byte // the current chunk: rows so far, room for more
	reads []read // the unused part of the current block
	block int    // the length of the current block
}

const (
	minReadChunkBytes = 512
	maxReadChunkBytes = 16 << 10
	minRowRoom        = 256 // a row is begun in a chunk with at least this much room
	maxReadBlockLen   = 64
)

// newRead is a read of row, as the caller of ctx may see it. A row the
// store kept is already JSON: its object is shared as it is, or copied
// without its private fields.
func (a *readAlloc) newRead(ctx context.Context, row blogd.Keyed) (*read, error) {
	var self []byte
	switch r := row.(type) {
	case *store.KeptRow:
		if owner, private := r.Owner(); !private || showEmail(ctx, owner) {
			self = r.JSON()
		} else {
			self = a.took(r.AppendPublic(a.room()))
		}
	default:
		if u, ok := row.(blogd.User); ok && !showEmail(ctx, u.ID) {
			row = u.Public()
		}
		b, err := rowjson.Append(a.room(), row)
		if err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
		self = a.took(b)
	}
	if len(a.reads) == 0 {
		a.block = min(max(2*a.block, 1), maxReadBlockLen)
		a.reads = make([]read, a.block)
	}
	r := &a.reads[0]
	a.reads = a.reads[1:]
	*r = read{self: self, row: row}
	return r, nil
}

// room is the free end of the current chunk, with at least minRowRoom
// bytes, for a row to be appended to.
func (a *readAlloc) room() []byte {
	if cap(a.json)-len(a.json) < minRowRoom {
		a.json = make([]byte, 0, min(max(2*cap(a.json), minReadChunkBytes), maxReadChunkBytes))
	}
	return a.json[len(a.json):]
}

// took returns b, a row appended to room(), and keeps it in the chunk; a
// row too long for the room got an array of its own from append, and the
// chunk stays as it was.
func (a *readAlloc) took(b []byte) []byte {
	if cap(b) == cap(a.json)-len(a.json) {
		a.json = a.json[:len(a.json)+len(b)]
	}
	return b[:len(b):len(b)]
}

// reads wraps rows as reads and embeds in them what nodes name. With an
// include, a row's defaults (bare) give way to what it names.
func (s *server) reads(ctx context.Context, rows []blogd.Keyed, nodes []*includeNode, limit int) ([]*read, error) {
	var a readAlloc
	out := make([]*read, len(rows))
	for i, row := range rows {
		if b, ok := row.(bare); ok && len(nodes) > 0 {
			row = b.Bare()
		}
		r, err := a.newRead(ctx, row)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, s.embed(ctx, &a, s.store.NewEmbedding(), out, nodes, limit)
}

// embed loads each relation of nodes for all of parents at once (one
// statement each, at most) within the read's embedding em, and adds it to
// each parent, then goes on below it. What it adds to the parents is
// allocated in one array per level and per relation, not per parent: a
// page of posts embeds hundreds of rows, and their garbage is what the
// collector works for.
func (s *server) embed(ctx context.Context, a *readAlloc, em *store.Embedding, parents []*read, nodes []*includeNode, limit int) error {
	if len(parents) == 0 || len(nodes) == 0 {
		return nil
	}
	rows := make([]blogd.Keyed, len(parents))
	slots := make([]embedded, len(parents)*len(nodes))
	for i, p := range parents {
		rows[i] = p.row
		p.embed = slots[i*len(nodes) : i*len(nodes) : (i+1)*len(nodes)]
	}
	var shared map[int64]*read
	for _, n := range nodes {
		loaded, err := em.Embed(ctx, n.rel, rows, limit)
		if err != nil {
			return err
		}
		// Every row of this relation, each once, for the next level. A
		// many relation's rows are read anew for each parent (a category's
		// linked_at differs by post), and its lists are parts of this one
		// array. The row of a one relation is the same whoever names it
		// (comments by one author): it is read once and shared.
		var all []*read
		if n.rel.Many {
			total := 0
			for _, got := range loaded {
				total += len(got.Rows)
			}
			all = make([]*read, 0, total)
		} else if shared == nil {
			shared = map[int64]*read{}
		} else {
			clear(shared)
		}
		for i, p := range parents {
			e := embedded{node: n}
			got := loaded[i]
			switch {
			case n.rel.Many:
				start := len(all)
				for _, row := range got.Rows {
					r, err := a.newRead(ctx, row)
					if err != nil {
						return err
					}
					all = append(all, r)
				}
				e.list = all[start:len(all):len(all)]
				if got.More {
					e.next = nextOf(n.rel, p.id(), e.list[len(e.list)-1].id(), limit)
				}
			case len(got.Rows) > 0:
				row := got.Rows[0]
				id := row.Key().ID
				if e.one = shared[id]; e.one == nil {
					if e.one, err = a.newRead(ctx, row); err != nil {
						return err
					}
					shared[id] = e.one
					all = append(all, e.one)
				}
			}
			p.embed = append(p.embed, e)
		}
		if err := s.embed(ctx, a, em, all, n.children, limit); err != nil {
			return err
		}
	}
	return nil
}

// relationLists are the list endpoints that continue each many relation,
// with the parent's id in them.
var relationLists = map[string]string{
	"user.posts": "/users/%d/posts", "user.comments": "/users/%d/comments", "user.roles": "/users/%d/roles",
	"post.categories": "/posts/%d/categories", "post.comments": "/posts/%d/comments",
	"comment.replies": "/comments/%d/replies", "category.posts": "/categories/%d/posts", "role.users": "/roles/%d/users",
}

// nextOf is the address of the list that continues relation rel of parent
// after the row with id last: the relation's own list, with a cursor.
func nextOf(rel store.Relation, parent, last int64, limit int) string {
	u := url.URL{Path: fmt.Sprintf(relationLists[string(rel.Parent)+"."+rel.Name], parent)}
	after := cursorAfter(&u, blogd.SortID, blogd.Key{ID: last})
	return u.Path + "?" + url.Values{"after": {after}, "limit": {strconv.Itoa(limit)}}.Encode()
}

// The reads of each resource, as the answers' schemas name them. Each is a
// read; its schema is the resource's own, with the relations it can embed
// as optional fields (readSchema).
type (
	userRead     struct{ *read }
	postRead     struct{ *read }
	commentRead  struct{ *read }
	categoryRead struct{ *read }
	roleRead     struct{ *read }
)

// Schema is the user's schema with the relations a user can embed.
func (userRead) Schema(r huma.Registry) *huma.Schema { return readSchema(r, store.ResourceUser, true) }

// Schema is the post's schema with the relations a post can embed.
func (postRead) Schema(r huma.Registry) *huma.Schema { return readSchema(r, store.ResourcePost, true) }

// Schema is the comment's schema with the relations a comment can embed.
func (commentRead) Schema(r huma.Registry) *huma.Schema {
	return readSchema(r, store.ResourceComment, true)
}

// Schema is the category's schema with the relations a category can embed.
func (categoryRead) Schema(r huma.Registry) *huma.Schema {
	return readSchema(r, store.ResourceCategory, true)
}

// Schema is the role's schema with the relations a role can embed.
func (roleRead) Schema(r huma.Registry) *huma.Schema { return readSchema(r, store.ResourceRole, true) }

// rowTypes are the types of each resource's rows: as read on its own, and
// as embedded in another (a post's categories carry linked_at).
var rowTypes = map[store.Resource][2]reflect.Type{
	store.ResourceUser:     {reflect.TypeFor[blogd.User](), reflect.TypeFor[blogd.User]()},
	store.ResourcePost:     {reflect.TypeFor[blogd.PostWithRelations](), reflect.TypeFor[blogd.Post]()},
	store.ResourceComment:  {reflect.TypeFor[blogd.Comment](), reflect.TypeFor[blogd.Comment]()},
	store.ResourceCategory: {reflect.TypeFor[blogd.Category](), reflect.TypeFor[blogd.LinkedCategory]()},
	store.ResourceRole:     {reflect.TypeFor[blogd.Role](), reflect.TypeFor[blogd.Role]()},
	store.ResourceProfile:  {reflect.TypeFor[blogd.Profile](), reflect.TypeFor[blogd.Profile]()},
}

// readSchema registers (once) and refers to the schema of a read of res:
// its row's schema with every relation it can embed as an optional field.
// A read on its own (top) requires its row's fields; an embedded one only
// its id, so that a post's default author ({id, username}) and categories
// ({id, name}) are embedded users and categories too.
func readSchema(r huma.Registry, res store.Resource, top bool) *huma.Schema {
	name := strings.ToUpper(string(res[:1])) + string(res[1:])
	if top {
		return rowSchema(r, res, name+"Read", rowTypes[res][0], true)
	}
	return rowSchema(r, res, name+"Embedded", rowTypes[res][1], false)
}

// rowSchema registers (once) as name the schema of reads of res whose rows
// are of type t.
func rowSchema(r huma.Registry, res store.Resource, name string, t reflect.Type, top bool) *huma.Schema {
	ref := &huma.Schema{Ref: "#/components/schemas/" + name}
	if _, ok := r.Map()[name]; ok {
		return ref
	}
	base := r.Schema(t, false, "")
	if base.Ref != "" {
		base = r.SchemaFromRef(base.Ref)
	}
	s := &huma.Schema{Type: huma.TypeObject, Description: base.Description, AdditionalProperties: false,
		Properties: maps.Clone(base.Properties), Required: []string{"id"}}
	if top {
		s.Required = slices.DeleteFunc(slices.Clone(base.Required), func(f string) bool {
			return f == "author" || f == "categories" // a post's defaults, which include replaces
		})
	}
	r.Map()[name] = s
	if top && res == store.ResourcePost { // a post that a search found
		snippet := r.Schema(reflect.TypeFor[blogd.PostFound](), false, "")
		if snippet.Ref != "" {
			snippet = r.SchemaFromRef(snippet.Ref)
		}
		s.Properties["snippet"] = snippet.Properties["snippet"]
	}
	for _, rel := range store.Relations(res) {
		target := readSchema(r, rel.Target, false)
		if rel.Many {
			s.Properties[rel.Name] = &huma.Schema{Type: huma.TypeArray, Items: target,
				Description: fmt.Sprintf("with include=%s: its %s, by id, at most include_limit", rel.Name, rel.Name)}
			s.Properties[rel.Name+"_next"] = &huma.Schema{Type: huma.TypeString, Nullable: true,
				Description: "the list that continues " + rel.Name + " when it holds more rows; null when complete",
				Examples:    []any{fmt.Sprintf(relationLists[string(res)+"."+rel.Name], 1) + "?after=eyJzIjoiaWQiLCJpIjoxMH0&limit=10"}}
		} else {
			s.Properties[rel.Name] = &huma.Schema{OneOf: []*huma.Schema{target, {Type: "null"}},
				Description: fmt.Sprintf("with include=%s: its %s, or null", rel.Name, rel.Name), Examples: []any{nil}}
		}
	}
	return ref
}

// bare is a row whose read carries defaults that include replaces (a post
// and its author and categories).
type bare interface{ Bare() blogd.Keyed }

// readOne answers the read of one row, with what q embeds in it.
func readOne[W any](ctx context.Context, s *server, q IncludeQuery, wrap func(*read) W,
	row blogd.Keyed, err error) (*body[W], error) {
	if err != nil {
		return nil, err
	}
	rs, err := s.reads(ctx, []blogd.Keyed{row}, q.nodes, q.IncludeLimit)
	if err != nil {
		return nil, err
	}
	return &body[W]{Body: wrap(rs[0])}, nil
}

// readList answers a page of a list, with what q embeds in each row.
func readList[T blogd.Keyed, W blogd.Keyed](ctx context.Context, s *server, q IncludeQuery,
	pf *PageFields, wrap func(*read) W, l blogd.List[T], err error) (*listBody[W], error) {
	if err != nil {
		return nil, err
	}
	rows := make([]blogd.Keyed, len(l.Items))
	for i, it := range l.Items {
		rows[i] = it
	}
	rs, err := s.reads(ctx, rows, q.nodes, q.IncludeLimit)
	if err != nil {
		return nil, err
	}
	out := blogd.List[W]{Items: make([]W, len(rs)), More: l.More, Total: l.Total}
	for i, r := range rs {
		out.Items[i] = wrap(r)
	}
	return listOf(pf, out, nil)
}

func asUserRead(r *read) userRead         { return userRead{r} }
func asPostRead(r *read) postRead         { return postRead{r} }
func asCommentRead(r *read) commentRead   { return commentRead{r} }
func asCategoryRead(r *read) categoryRead { return categoryRead{r} }
func asRoleRead(r *read) roleRead         { return roleRead{r} }
func asLinkedCategoryRead(r *read) linkedCategoryRead {
	return linkedCategoryRead{r}
}

// linkedCategoryRead is a category as a post's list of them reads it: with
// the link's linked_at.
type linkedCategoryRead struct{ *read }

// Schema is the linked category's schema with the relations a category can
// embed.
func (linkedCategoryRead) Schema(r huma.Registry) *huma.Schema {
	return rowSchema(r, store.ResourceCategory, "LinkedCategoryRead", reflect.TypeFor[blogd.LinkedCategory](), true)
}

// documentIncludes adds to the description of every read that takes
// include the relations it can embed, from the graph.
func documentIncludes(o *huma.OpenAPI) {
	for _, item := range o.Paths {
		op := item.Get
		if op == nil || !slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == "include" }) {
			continue
		}
		res, ok := readResource(op)
		if !ok {
			continue
		}
		if op.Description != "" {
			op.Description += "\n\n"
		}
		op.Description += includeDoc(res)
		if op.Metadata == nil {
			op.Metadata = map[string]any{}
		}
		op.Metadata[resourceKey] = res
	}
}

// readResource is the resource whose reads op answers, from the schema of
// its 200 answer (a UserRead, or a list of them).
func readResource(op *huma.Operation) (store.Resource, bool) {
	r := op.Responses["200"]
	if r == nil || r.Content["application/json"] == nil || r.Content["application/json"].Schema == nil {
		return "", false
	}
	s := r.Content["application/json"].Schema
	if s.Items != nil {
		s = s.Items
	}
	name, ok := strings.CutSuffix(strings.TrimPrefix(s.Ref, "#/components/schemas/"), "Read")
	if !ok {
		return "", false
	}
	name = strings.ToLower(strings.TrimPrefix(name, "Linked"))
	return store.Resource(name), true
}

// readAppender is a read, as wrapped for its answer's schema.
type readAppender interface{ appendJSON([]byte) []byte }

var readAppenderType = reflect.TypeFor[readAppender]()

// appendReads appends v to b when it is a read or a list of reads (which
// are written without the encoder, that would check and copy each
// object again), and reports whether it was.
func appendReads(b []byte, v any) ([]byte, bool) {
	if r, ok := v.(readAppender); ok {
		return r.appendJSON(b), true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.Type().Elem().Implements(readAppenderType) {
		return b, false
	}
	b = append(b, '[')
	for i := range rv.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = rv.Index(i).Interface().(readAppender).appendJSON(b)
	}
	return append(b, ']'), true
}
