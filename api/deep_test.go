package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/store"
)

// chainDepth is deeper than SQLite's 1,000 levels of cascading triggers.
const chainDepth = 1200

// replyChain adds a reply chain of depth comments by userID on postID, each
// replying to the one before, and returns their ids, top first. It is built
// in one batch: through the API it would cost a commit per comment.
func (e *env) replyChain(postID, userID int64, depth int) []int64 {
	e.t.Helper()
	var chain []int64
	err := e.store.InBatch(context.Background(), func(b *store.Batch) error {
		chain = chain[:0]
		var parent *int64
		for range depth {
			id, err := b.AddComment(blogd.CommentCreate{Content: "deeper", PostID: postID, UserID: userID, ParentID: parent})
			if err != nil {
				return err
			}
			chain = append(chain, id)
			parent = &chain[len(chain)-1]
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("reply chain: %v", err)
	}
	return chain
}

// Deletes work at any depth of replies: a comment, its post and its author.
func TestDeleteDeepReplyChains(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")

		// A deep chain under one comment: deleting the top one takes all.
		p1 := e.post(ada)
		keep := e.comment(p1, bob, 0)
		chain := e.replyChain(p1, bob, chainDepth)
		e.call("DELETE", fmt.Sprintf("/comments/%d", chain[0]), nil, 204, nil)
		if n := e.count("comments", "post_id = ?", p1); n != 1 {
			t.Errorf("%d comments left on post %d, want 1 (%d)", n, p1, keep)
		}
		// The middle of a chain: the part above stays.
		chain = e.replyChain(p1, bob, chainDepth)
		e.call("DELETE", fmt.Sprintf("/comments/%d", chain[10]), nil, 204, nil)
		if n := e.count("comments", "post_id = ?", p1); n != 11 {
			t.Errorf("%d comments left on post %d, want 11", n, p1)
		}
		e.fail("DELETE", fmt.Sprintf("/comments/%d", chain[10]), nil, 404, "Comment not found")

		// A post with a deep chain.
		p2 := e.post(ada)
		e.replyChain(p2, bob, chainDepth)
		e.call("DELETE", fmt.Sprintf("/posts/%d", p2), nil, 204, nil)
		if n := e.count("comments", "post_id = ?", p2); n != 0 {
			t.Errorf("%d comments left on deleted post", n)
		}

		// A user: a deep chain on their post by someone else, and a deep
		// chain of their own under someone else's comment on another post.
		carl := e.user("carl")
		p3, p4 := e.post(carl), e.post(ada)
		e.replyChain(p3, bob, chainDepth)
		top := e.comment(p4, ada, 0)
		var under []int64
		err := e.store.InBatch(context.Background(), func(b *store.Batch) error {
			under = under[:0]
			parent := top
			for range chainDepth {
				id, err := b.AddComment(blogd.CommentCreate{Content: "x", PostID: p4, UserID: carl, ParentID: &parent})
				if err != nil {
					return err
				}
				under, parent = append(under, id), id
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		e.call("DELETE", fmt.Sprintf("/users/%d", carl), nil, 204, nil)
		if n := e.count("comments", "post_id = ?", p3); n != 0 {
			t.Errorf("%d comments left on the deleted user's post", n)
		}
		if n := e.count("comments", "post_id = ?", p4); n != 1 {
			t.Errorf("%d comments on post %d, want ada's top comment alone", n, p4)
		}
		// Everything else is untouched.
		if n := e.count("comments", "post_id = ?", p1); n != 11 {
			t.Errorf("%d comments left on post %d, want 11", n, p1)
		}
	})
}

// The tree nests at most depth levels and marks where it stopped.
func TestCommentTreeDepth(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		chain := e.replyChain(post, ada, chainDepth)
		flat := e.comment(post, ada, 0) // a thread without replies

		levels := func(th *blogd.CommentThread) (n int, last *blogd.CommentThread) {
			for n, last = 1, th; len(last.Replies) > 0; n++ {
				last = last.Replies[0]
			}
			return n, last
		}
		for _, tc := range []struct {
			query string
			want  int
		}{{"", blogd.MaxThreadDepth}, {"?depth=1", 1}, {"?depth=7", 7}, {fmt.Sprintf("?depth=%d", blogd.MaxThreadDepth), blogd.MaxThreadDepth}} {
			var threads []*blogd.CommentThread
			e.call("GET", fmt.Sprintf("/posts/%d/comments/tree%s", post, tc.query), nil, 200, &threads)
			if len(threads) != 2 || threads[0].ID != chain[0] || threads[1].ID != flat {
				t.Fatalf("%s: %d threads", tc.query, len(threads))
			}
			n, last := levels(threads[0])
			if n != tc.want || last.ID != chain[tc.want-1] || !last.MoreReplies {
				t.Errorf("%s: %d levels, last %d (more %v), want %d levels ending at %d with more_replies",
					tc.query, n, last.ID, last.MoreReplies, tc.want, chain[tc.want-1])
			}
			if threads[0].MoreReplies && tc.want > 1 {
				t.Errorf("%s: more_replies on a comment whose replies are served", tc.query)
			}
			if threads[1].MoreReplies {
				t.Errorf("%s: more_replies on a comment without replies", tc.query)
			}
		}
		// The rest of the chain is reachable from the last level served.
		r := e.call("GET", fmt.Sprintf("/comments/%d/replies", chain[blogd.MaxThreadDepth-1]), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{chain[blogd.MaxThreadDepth]}) {
			t.Errorf("replies below the last level %v", got)
		}
		// A chain that ends within the depth has no mark.
		shortPost := e.post(ada)
		short := e.replyChain(shortPost, ada, 3)
		var threads []*blogd.CommentThread
		e.call("GET", fmt.Sprintf("/posts/%d/comments/tree?depth=3", shortPost), nil, 200, &threads)
		if n, last := levels(threads[0]); n != 3 || last.ID != short[2] || last.MoreReplies {
			t.Errorf("short chain: %d levels, last %d, more %v", n, last.ID, last.MoreReplies)
		}
		e.fail("GET", fmt.Sprintf("/posts/%d/comments/tree?depth=0", post), nil, 422, "")
		e.fail("GET", fmt.Sprintf("/posts/%d/comments/tree?depth=%d", post, blogd.MaxThreadDepth+1), nil, 422, "")
	})
}
