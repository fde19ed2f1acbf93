package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/bounded"
	"github.com/blogd/blogd/search"
)

// SearchPosts lists the posts that q finds, with author and categories
// eager-loaded, narrowed by f, in page p's order (by relevance, best
// first, for blogd.SortRelevance): two statements, and one more to count;
// on SQLite, a search by relevance without filters reads the kept ranking
// instead (searchRanked: two statements, the page's posts with the index's
// version and their categories; more when the index changed).
// The snippets are left for the caller to make.
func (s *Store) SearchPosts(ctx context.Context, q search.Query, f blogd.PostFilter, p blogd.Page) (blogd.List[blogd.PostFound], error) {
	if s.searches != nil && f == (blogd.PostFilter{}) && p.Sort == blogd.SortRelevance {
		return s.searchRanked(ctx, q, p)
	}
	c := s.reader(ctx)
	from, match, score, args := c.d.searchPosts(q)
	l := listSpec{cols: postColumns + ", " + score, from: from + " JOIN users u ON u.id = p.user_id WHERE " + match,
		args: args, id: "p.id", time: "p.created_at", score: score}
	postFilters(f).narrow(&l, "")
	found, err := runList(ctx, c, l, p, scanPostFound)
	if err == nil {
		err = loadCategoryRefs(ctx, c, found.Items, postOfFound)
	}
	if err != nil {
		return found, fmt.Errorf("search posts: %w", err)
	}
	return found, nil
}

// rankedPost is a post in a search's ranking.
type rankedPost struct {
	id    int64
	score float64
}

// searchCache keeps the whole ranking of recent searches by relevance
// without filters, until the index changes. Ranking a word that thousands
// of posts hold scores every one of them (bm25 reads each post's word
// counts and length: about 37 ms for 20,000 posts), and a blog's searches
// repeat far more often than its posts change. The version is
// search_version, which the index's triggers move in the writing
// transaction (migration 00008): a ranking computed after that version was
// read is at least as fresh as the version, so a search never misses a
// post whose write was answered before it began, nor finds one deleted
// before it began (a deleted post is also skipped when the page's posts
// are read). SQLite only: on PostgreSQL every write would update that one
// row, and wait on it.
type searchCache struct {
	mu      sync.Mutex
	version int64
	ranked  *bounded.Map[string, []rankedPost]
}

// searchCacheBytes bounds the rankings kept: 4 MiB, 260,000 posts found.
const searchCacheBytes = 4 << 20

func newSearchCache() *searchCache {
	return &searchCache{ranked: bounded.New(searchCacheBytes, rankingBytes)}
}

// rankingBytes is about what keeping ranking r of the search match costs.
func rankingBytes(match string, r []rankedPost) int { return len(r)*16 + len(match) }

// latest returns the kept ranking of the search match and the version of
// the index it was ranked at, if one is kept.
func (c *searchCache) latest(match string) (int64, []rankedPost, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.ranked.Get(match)
	return c.version, r, ok
}

// get returns the ranking of the search match at the index's version.
func (c *searchCache) get(version int64, match string) ([]rankedPost, bool) {
	v, r, ok := c.latest(match)
	return r, ok && v == version
}

// put keeps the ranking of the search match, computed at version or later.
func (c *searchCache) put(version int64, match string, r []rankedPost) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version:
		c.version = version
		c.ranked.Clear()
	}
	c.ranked.Put(match, r)
}

// searchRanked is SearchPosts by relevance without filters, from the
// search's whole ranking (searchCache). A kept ranking is tried first: the
// page's posts are read with the index's version in the same statement, and
// the page stands if that version is still the ranking's (no write has
// changed the index since it was ranked). Else the version is read, the
// search ranked anew when the kept ranking is older, and the page read from
// it.
func (s *Store) searchRanked(ctx context.Context, q search.Query, p blogd.Page) (blogd.List[blogd.PostFound], error) {
	c := s.reader(ctx)
	match := fts5Query(q)
	if version, ranked, ok := s.searches.latest(match); ok {
		if out, ok, err := rankedPage(ctx, c, ranked, p, version); err != nil || ok {
			return out, err
		}
	}
	var version int64
	if _, err := c.queryRow(ctx, "SELECT version FROM search_version", nil, &version); err != nil {
		return blogd.List[blogd.PostFound]{}, fmt.Errorf("search posts: %w", err)
	}
	ranked, ok := s.searches.get(version, match)
	if !ok {
		var err error
		ranked, err = queryList(ctx, c, func(rows *sql.Rows, r *rankedPost) error { return rows.Scan(&r.id, &r.score) },
			`SELECT rowid, -bm25(posts_search, 10.0, 1.0) AS score FROM posts_search
			WHERE posts_search MATCH ? ORDER BY score DESC, rowid`, match)
		if err != nil {
			return blogd.List[blogd.PostFound]{}, fmt.Errorf("search posts: %w", err)
		}
		s.searches.put(version, match, ranked)
	}
	out, _, err := rankedPage(ctx, c, ranked, p, -1)
	return out, err
}

// rankedPage is page p of a ranking: its posts, with their authors and
// categories. With want >= 0 the page stands only if the index's version,
// read with the posts, is still want (a page that found none of its posts
// does not: they may have gone since); ok reports whether it did, and a
// page that does not is left without its categories, which nobody would
// read.
func rankedPage(ctx context.Context, c conn, ranked []rankedPost, p blogd.Page, want int64) (out blogd.List[blogd.PostFound], ok bool, err error) {
	start := min(p.Skip, len(ranked))
	if a := p.After; a != nil {
		start = sort.Search(len(ranked), func(i int) bool {
			r := ranked[i]
			return r.score < a.Score || (r.score == a.Score && r.id > a.ID)
		})
	}
	page := ranked[start:min(start+p.Limit+1, len(ranked))]
	version := int64(-1)
	byID := make(map[int64]blogd.PostWithRelations, len(page))
	if len(page) > 0 {
		ids := make([]int64, len(page))
		for i, r := range page {
			ids[i] = r.id
		}
		posts, err := queryList(ctx, c, func(rows *sql.Rows, p *versionedPost) error {
			return scanPostWithAuthorAnd(rows, &p.PostWithRelations, &p.version)
		}, "SELECT "+postColumns+", (SELECT version FROM search_version) FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id IN (SELECT value FROM idtable(?))", c.d.ids(ids))
		if err != nil {
			return blogd.List[blogd.PostFound]{}, false, fmt.Errorf("search posts: %w", err)
		}
		for _, post := range posts {
			byID[post.ID] = post.PostWithRelations
			version = post.version
		}
	}
	found := make([]blogd.PostFound, 0, len(page))
	for _, r := range page {
		if post, ok := byID[r.id]; ok {
			found = append(found, blogd.PostFound{PostWithRelations: post, Score: r.score})
		}
	}
	out = pageOf(found, p)
	if p.Count {
		out.Total = len(ranked)
	}
	if want >= 0 && version != want {
		return out, false, nil
	}
	if err := loadCategoryRefs(ctx, c, out.Items, postOfFound); err != nil {
		return out, false, fmt.Errorf("search posts: %w", err)
	}
	return out, true, nil
}

// versionedPost is a post of a ranking's page, with the index's version read
// in the same statement.
type versionedPost struct {
	blogd.PostWithRelations
	version int64
}

func postOfFound(p *blogd.PostFound) *blogd.PostWithRelations { return &p.PostWithRelations }

func scanPostFound(rows *sql.Rows, p *blogd.PostFound) error {
	return scanPostWithAuthorAnd(rows, &p.PostWithRelations, &p.Score)
}

// fts5Query writes q in FTS5's query syntax: each phrase a string in
// double quotes. The words of a phrase hold only letters, digits and marks
// (search.Words), so nothing in them is FTS5 syntax: no input reaches the
// engine as anything but words.
func fts5Query(q search.Query) string {
	return writeQuery(q, " AND ", " OR ", " NOT ", func(b *strings.Builder, ph search.Phrase) {
		b.WriteString(`"` + ph.Text() + `"`)
	})
}

// tsQuery is q as a PostgreSQL tsquery expression, and its arguments: each
// phrase is phraseto_tsquery of its words, passed as a parameter (so
// nothing of q is SQL or tsquery syntax).
func tsQuery(q search.Query) (string, []any) {
	var args []any
	expr := writeQuery(q, " && ", " || ", " && !!", func(b *strings.Builder, ph search.Phrase) {
		b.WriteString("phraseto_tsquery('blogd_search', blogd_search_text(CAST(? AS text)))")
		args = append(args, ph.Text())
	})
	return expr, args
}

// writeQuery writes q with an engine's operators and phrases: the groups
// ANDed, the phrases of a group ORed, then each excluded phrase NOT.
func writeQuery(q search.Query, and, or, not string, phrase func(*strings.Builder, search.Phrase)) string {
	var b strings.Builder
	b.WriteString("(")
	for i, g := range q.All {
		if i > 0 {
			b.WriteString(and)
		}
		b.WriteString("(")
		for j, ph := range g {
			if j > 0 {
				b.WriteString(or)
			}
			phrase(&b, ph)
		}
		b.WriteString(")")
	}
	b.WriteString(")")
	for _, ph := range q.None {
		b.WriteString(not + "(")
		phrase(&b, ph)
		b.WriteString(")")
	}
	return b.String()
}
