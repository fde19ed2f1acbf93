package api_test

import (
	"fmt"
	"testing"

	"github.com/blogd/blogd"
)

func TestComments(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		post, other := e.post(ada), e.post(bob)

		var c blogd.Comment
		r := e.call("POST", fmt.Sprintf("/posts/%d/comments", post), map[string]any{"content": "first", "user_id": bob}, 201, &c)
		if c.ID == 0 || c.PostID != post || c.UserID != bob || c.ParentID != nil || c.Content != "first" {
			t.Errorf("created %+v", c)
		}
		if r.header.Get("Location") != fmt.Sprintf("/comments/%d", c.ID) {
			t.Errorf("Location %q", r.header.Get("Location"))
		}
		var reply blogd.Comment
		e.call("POST", "/comments", map[string]any{"content": "reply", "user_id": ada, "post_id": post, "parent_id": c.ID}, 201, &reply)
		if reply.ParentID == nil || *reply.ParentID != c.ID {
			t.Errorf("reply %+v", reply)
		}
		e.call("POST", "/comments", map[string]any{"content": "top", "user_id": ada, "post_id": post, "parent_id": nil}, 201, nil)

		// Errors, in the order the contract names them.
		e.fail("POST", "/posts/999999/comments", map[string]any{"content": "x", "user_id": ada}, 404, "Post not found")
		e.fail("POST", fmt.Sprintf("/posts/%d/comments", post), map[string]any{"content": "x", "user_id": 999999}, 404, "User not found")
		e.fail("POST", fmt.Sprintf("/posts/%d/comments", post), map[string]any{"content": "x", "user_id": ada, "parent_id": 999999}, 404, "Parent comment not found")
		e.fail("POST", fmt.Sprintf("/posts/%d/comments", other), map[string]any{"content": "x", "user_id": ada, "parent_id": c.ID}, 400, "Parent comment belongs to a different post")
		e.fail("POST", fmt.Sprintf("/posts/%d/comments", post), map[string]any{"content": "", "user_id": ada}, 422, "")
		e.fail("POST", "/comments", map[string]any{"content": "x", "user_id": ada}, 422, "")
		if n := e.count("comments", ""); n != 3 {
			t.Errorf("%d comments after bad input", n)
		}

		var got blogd.Comment
		e.call("GET", fmt.Sprintf("/comments/%d", reply.ID), nil, 200, &got)
		if got.Content != "reply" || *got.ParentID != c.ID || !got.CreatedAt.Equal(reply.CreatedAt) {
			t.Errorf("get %+v", got)
		}
		e.call("PATCH", fmt.Sprintf("/comments/%d", reply.ID), map[string]any{"content": "edited"}, 200, &got)
		if got.Content != "edited" || got.PostID != post {
			t.Errorf("patched %+v", got)
		}
		e.fail("PATCH", fmt.Sprintf("/comments/%d", reply.ID), `{"content":null}`, 422, "")
		e.fail("PATCH", "/comments/999999", map[string]any{"content": "x"}, 404, "Comment not found")
		e.fail("GET", "/comments/999999", nil, 404, "Comment not found")

		r = e.call("GET", "/comments?limit=2", nil, 200, nil)
		if got := ids(t, r.body); len(got) != 2 || got[0] != c.ID {
			t.Errorf("list %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/posts/%d/comments", post), nil, 200, nil)
		if got := ids(t, r.body); len(got) != 3 {
			t.Errorf("post comments %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/posts/%d/comments", other), nil, 200, nil)
		if got := ids(t, r.body); len(got) != 0 {
			t.Errorf("other's comments %v", got)
		}
		e.fail("GET", "/posts/999999/comments", nil, 404, "Post not found")
		r = e.call("GET", fmt.Sprintf("/comments/%d/replies", c.ID), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{reply.ID}) {
			t.Errorf("replies %v", got)
		}
		e.fail("GET", "/comments/999999/replies", nil, 404, "Comment not found")
	})
}

func TestCommentTreeAndSubtreeDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		//  a
		//  ├── a1
		//  │   └── a11
		//  └── a2
		//  b
		a := e.comment(post, ada, 0)
		a1 := e.comment(post, ada, a)
		b := e.comment(post, ada, 0)
		a11 := e.comment(post, ada, a1)
		a2 := e.comment(post, ada, a)

		var tree []blogd.CommentThread
		e.call("GET", fmt.Sprintf("/posts/%d/comments/tree", post), nil, 200, &tree)
		if len(tree) != 2 || tree[0].ID != a || tree[1].ID != b || len(tree[1].Replies) != 0 ||
			len(tree[0].Replies) != 2 || tree[0].Replies[0].ID != a1 || tree[0].Replies[1].ID != a2 ||
			len(tree[0].Replies[0].Replies) != 1 || tree[0].Replies[0].Replies[0].ID != a11 {
			t.Fatalf("tree %+v", tree)
		}
		// Pagination applies to top-level comments.
		e.call("GET", fmt.Sprintf("/posts/%d/comments/tree?skip=1&limit=1", post), nil, 200, &tree)
		if len(tree) != 1 || tree[0].ID != b {
			t.Errorf("second page %+v", tree)
		}
		e.fail("GET", "/posts/999999/comments/tree", nil, 404, "Post not found")

		// Deleting a comment deletes its whole subtree and nothing else.
		e.call("DELETE", fmt.Sprintf("/comments/%d", a1), nil, 204, nil)
		for _, id := range []int64{a1, a11} {
			e.fail("GET", fmt.Sprintf("/comments/%d", id), nil, 404, "Comment not found")
		}
		for _, id := range []int64{a, a2, b} {
			e.call("GET", fmt.Sprintf("/comments/%d", id), nil, 200, nil)
		}
		e.fail("DELETE", fmt.Sprintf("/comments/%d", a1), nil, 404, "Comment not found")
	})
}
