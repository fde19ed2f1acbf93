package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/search"
	"github.com/danielgtaylor/huma/v2"
)

// Lists: every list pages by skip or by cursor (after), in the order sort
// names, and says where the next page is (Link) and, when asked, how many
// rows the whole list has (X-Total-Count).

// PageFields are the paging parameters that every list takes (exported
// because huma reads only exported fields, embedded ones included).
type PageFields struct {
	Skip  int    `query:"skip" minimum:"0" default:"0" doc:"rows to skip (not with after)"`
	Limit int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"rows to return"`
	After string `query:"after" maxLength:"512" doc:"a cursor from the Link header of the previous page: this page starts after it, at the same cost at any depth (not with skip)"`
	Count string `query:"count" enum:"exact" doc:"exact: the number of rows of the whole list, in X-Total-Count"`

	sort  blogd.Sort
	after *blogd.Key
	url   url.URL // the request's, for the next page's link
}

// PageQuery is the paging and order of a list sorted by id.
type PageQuery struct {
	PageFields
	Sort string `query:"sort" enum:"id,-id" default:"id" doc:"order: by id, ascending or (-id) descending"`
}

// Resolve checks the cursor and keeps what the next page's link needs.
func (q *PageQuery) Resolve(ctx huma.Context) []error { return q.resolve(ctx, q.Sort) }

// PostPageQuery is the paging and order of a list of posts, which may also
// be sorted by creation time.
type PostPageQuery struct {
	PageFields
	Sort string `query:"sort" enum:"id,-id,created_at,-created_at" default:"id" doc:"order: by id or by creation time (then id), ascending or (with -) descending"`
}

// Resolve checks the cursor and keeps what the next page's link needs.
func (q *PostPageQuery) Resolve(ctx huma.Context) []error { return q.resolve(ctx, q.Sort) }

// PostSearchQuery is the search, paging and order of GET /posts: with q,
// the posts that q finds, best first unless sort says otherwise.
type PostSearchQuery struct {
	PageFields
	Sort string `query:"sort" enum:"relevance,id,-id,created_at,-created_at" doc:"order: by relevance (best first, then id; only with q, and its default), by id, or by creation time (then id), ascending or (with -) descending; id without q"`
	Q    string `query:"q" maxLength:"1000" doc:"full-text search of the title and content: words are ANDed; \"a phrase\"; -word or -\"a phrase\" excludes; OR between two words or phrases; case and accents are ignored, English words match their other forms; each post found has a snippet"`

	search search.Query // the parsed q
}

// Resolve parses q and checks the cursor against the order.
func (q *PostSearchQuery) Resolve(ctx huma.Context) []error {
	sort := q.Sort
	if u := ctx.URL(); u.Query().Has("q") && len(q.Q) <= search.MaxLength { // a longer q is refused by its schema
		parsed, err := search.Parse(q.Q)
		if err != nil {
			return []error{&huma.ErrorDetail{Location: "query.q", Message: err.Error(), Value: q.Q}}
		}
		q.search = parsed
		if sort == "" {
			sort = string(blogd.SortRelevance)
		}
	}
	switch sort {
	case "":
		sort = string(blogd.SortID)
	case string(blogd.SortRelevance):
		if q.search.All == nil {
			return []error{&huma.ErrorDetail{Location: "query.sort", Message: "sort=relevance orders a search: give q", Value: sort}}
		}
	}
	return q.resolve(ctx, sort)
}

// IDPageInput is a nested list: the parent's id, a page and what to embed.
type IDPageInput struct {
	IDPath
	PageQuery
	IncludeQuery
}

// IDPostPageInput is a nested list of posts: the parent's id, a page and
// what to embed.
type IDPostPageInput struct {
	IDPath
	PostPageQuery
	IncludeQuery
}

// pageIncludeInput is a list: a page and what to embed.
type pageIncludeInput struct {
	PageQuery
	IncludeQuery
}

// IDIncludeInput is the read of one resource: its id and what to embed.
type IDIncludeInput struct {
	IDPath
	IncludeQuery
}

func (f *PageFields) page() blogd.Page {
	return blogd.Page{Skip: f.Skip, Limit: f.Limit, Sort: f.sort, After: f.after, Count: f.Count == "exact"}
}

// resolve reads the cursor of the request, if any: it must be one that
// blogd issued, for this list (path and filters) and this sort.
func (f *PageFields) resolve(ctx huma.Context, sort string) []error {
	f.sort = blogd.Sort(sort)
	f.url = ctx.URL()
	if f.After == "" {
		return nil
	}
	if f.Skip != 0 {
		return []error{&huma.ErrorDetail{Location: "query.after", Message: "give after or skip, not both"}}
	}
	c, err := decodeCursor(f.After)
	switch {
	case err != nil:
		return []error{&huma.ErrorDetail{Location: "query.after", Message: "not a cursor that blogd issued: it is garbled or was changed"}}
	case c.Sort != sort:
		return []error{&huma.ErrorDetail{Location: "query.after",
			Message: "this cursor is for sort=" + c.Sort + ": use it with the same sort"}}
	case c.List != listScope(&f.url):
		return []error{&huma.ErrorDetail{Location: "query.after",
			Message: "this cursor belongs to another list (another path or other filters)"}}
	}
	f.after = &blogd.Key{ID: c.ID, CreatedAt: c.Time, Score: c.Score}
	return nil
}

// listBody is a page of a list: its rows, and the headers that lead on.
type listBody[T any] struct {
	Link  string `header:"Link" doc:"RFC 8288: <url>; rel=\"next\", the next page, when rows follow this one"`
	Total *int   `header:"X-Total-Count" doc:"with count=exact: the number of rows of the whole list"`
	Body  []T
}

// listOf answers a page of a list read with q.
func listOf[T blogd.Keyed](q *PageFields, l blogd.List[T], err error) (*listBody[T], error) {
	if err != nil {
		return nil, err
	}
	out := &listBody[T]{Body: l.Items}
	if l.More && len(l.Items) > 0 {
		out.Link = q.nextLink(l.Items[len(l.Items)-1].Key())
	}
	if l.Total >= 0 {
		out.Total = &l.Total
	}
	return out, nil
}

// nextLink is the Link header of the page after the row at last: the
// request's own address, its skip replaced by a cursor.
func (f *PageFields) nextLink(last blogd.Key) string {
	u := f.url
	v := u.Query()
	v.Del("skip")
	v.Set("after", cursorAfter(&u, f.sort, last))
	return "<" + u.Path + "?" + v.Encode() + `>; rel="next"`
}

// cursorAfter is the cursor of the list at u, sorted by sort, that starts
// after the row at last.
func cursorAfter(u *url.URL, sort blogd.Sort, last blogd.Key) string {
	c := cursor{Sort: string(sort), ID: last.ID, List: listScope(u)}
	if sort.ByTime() {
		c.Time = last.CreatedAt
	}
	if sort == blogd.SortRelevance {
		c.Score = last.Score
	}
	return c.encode()
}

// cursor is the position of a row in one list, in one order. Clients get it
// base64url-encoded with a checksum, and treat it as opaque.
type cursor struct {
	Sort  string    `json:"s"`
	ID    int64     `json:"i"`
	Time  time.Time `json:"t,omitzero"`
	Score float64   `json:"r,omitzero"`
	// List identifies the list: its path and filters (listScope).
	List string `json:"l"`
}

// cursorSum is the length of a cursor's checksum.
const cursorSum = 6

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a struct of plain fields cannot fail
	return base64.RawURLEncoding.EncodeToString(append(b, cursorChecksum(b)...))
}

// cursorChecksum is the checksum that follows a cursor's payload.
func cursorChecksum(payload []byte) []byte {
	sum := sha256.Sum256(append([]byte("blogd cursor "), payload...))
	return sum[:cursorSum]
}

// decodeCursor reads a cursor, and fails when it is not one that encode
// made: not base64url, a wrong checksum, or not a cursor inside.
func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) <= cursorSum {
		return c, errBadCursor
	}
	payload, sum := b[:len(b)-cursorSum], b[len(b)-cursorSum:]
	if !bytes.Equal(sum, cursorChecksum(payload)) {
		return c, errBadCursor
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.ID == 0 || c.Sort == "" {
		return c, errBadCursor
	}
	return c, nil
}

var errBadCursor = &huma.ErrorDetail{Message: "bad cursor"}

// listScope identifies a list: its path and the query parameters that
// choose its rows (the filters), not those that page or order it, nor
// those that only shape its rows.
func listScope(u *url.URL) string {
	v := u.Query()
	keys := make([]string, 0, len(v))
	for k := range v {
		switch k {
		case "skip", "limit", "after", "count", "sort", "include", "include_limit", "depth":
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(u.Path)
	for _, k := range keys {
		b.WriteString("&" + k + "=" + strings.Join(v[k], ","))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}
