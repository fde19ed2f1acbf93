package api_test

import (
	"fmt"
	"testing"

	"github.com/blogd/blogd"
)

// statements returns how many SQL statements one GET costs.
func (e *env) statements(path string, out any) int64 {
	e.t.Helper()
	before := e.queries.Load()
	e.call("GET", path, nil, 200, out)
	return e.queries.Load() - before
}

// Reads of a resource with its relations cost the same number of statements
// whatever the size of the result: no N+1.
func TestNoNPlusOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		small, large := newEnv(t, bk), newEnv(t, bk)

		// Posts: 2 posts with 1 category each, against 100 posts by 100 authors
		// with 5 categories each.
		build := func(e *env, posts, cats int) int64 {
			var catIDs []int64
			for i := range cats {
				catIDs = append(catIDs, e.category(fmt.Sprintf("c%d", i)))
			}
			var last int64
			for i := range posts {
				last = e.post(e.user(fmt.Sprintf("u%d", i)), catIDs...)
			}
			return last
		}
		smallPost := build(small, 2, 1)
		largePost := build(large, 100, 5)

		var sp, lp []blogd.PostWithRelations
		sn := small.statements("/posts?limit=100", &sp)
		ln := large.statements("/posts?limit=100", &lp)
		if len(lp) != 100 || len(lp[99].Categories) != 5 || lp[99].Author.Username != "u99" {
			t.Fatalf("large list: %d posts", len(lp))
		}
		if sn != ln || ln > 2 {
			t.Errorf("GET /posts?limit=100: %d statements for 2 posts, %d for 100", sn, ln)
		}

		var one blogd.PostWithRelations
		sn = small.statements(fmt.Sprintf("/posts/%d", smallPost), &one)
		ln = large.statements(fmt.Sprintf("/posts/%d", largePost), &one)
		if len(one.Categories) != 5 {
			t.Fatalf("post with %d categories", len(one.Categories))
		}
		if sn != ln || ln > 2 {
			t.Errorf("GET /posts/{id}: %d statements with 1 category, %d with 5", sn, ln)
		}

		// Comment tree: one comment, against a thread 50 levels deep plus 500
		// top-level comments with a reply each.
		smallC := small.comment(smallPost, 1, 0)
		_ = smallC
		uid := int64(1)
		parent := int64(0)
		for range 50 {
			parent = large.comment(largePost, uid, parent)
		}
		for range 500 {
			c := large.comment(largePost, uid, 0)
			large.comment(largePost, uid, c)
		}
		var st, lt []blogd.CommentThread
		sn = small.statements(fmt.Sprintf("/posts/%d/comments/tree?limit=1000", smallPost), &st)
		ln = large.statements(fmt.Sprintf("/posts/%d/comments/tree?limit=1000", largePost), &lt)
		if len(lt) != 501 {
			t.Fatalf("tree has %d top-level comments, want 501", len(lt))
		}
		depth := 0
		for n := &lt[0]; ; n = n.Replies[0] {
			depth++
			if len(n.Replies) == 0 {
				break
			}
		}
		if depth != 50 {
			t.Errorf("deep thread has depth %d, want 50", depth)
		}
		if sn != ln || ln > 2 {
			t.Errorf("GET /posts/{id}/comments/tree: %d statements for 1 comment, %d for 1,050", sn, ln)
		}
	})
}
