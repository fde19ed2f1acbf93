package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/store"
)

// Every relation of the graph loads, for a batch of parents, the rows each
// parent has, in id order, at most the limit, and says when more follow:
// in one statement, whatever the number of parents and rows.
func TestEmbedEveryRelation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		s := b.Open(t, store.Options{})
		defer s.Close()
		var users, posts, comments, cats, roles []int64
		err := s.InBatch(ctx, func(bt *store.Batch) error {
			for i := range 3 {
				id, err := bt.AddUser(blogd.UserCreate{Username: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@example.com", i)}, "")
				if err != nil {
					return err
				}
				users = append(users, id)
			}
			if _, err := bt.AddProfile(users[0], "bio", "here"); err != nil {
				return err
			}
			for i := range 3 {
				c, err := bt.AddCategory(blogd.CategoryCreate{Name: fmt.Sprintf("c%d", i)})
				if err != nil {
					return err
				}
				cats = append(cats, c)
				r, err := bt.AddRole(blogd.RoleCreate{Name: fmt.Sprintf("r%d", i)})
				if err != nil {
					return err
				}
				roles = append(roles, r)
				if err := bt.AssignRole(users[0], r); err != nil {
					return err
				}
			}
			// 14 posts of user 0 in every category, 2 of user 1, none of user 2.
			for i := range 16 {
				owner := users[0]
				if i >= 14 {
					owner = users[1]
				}
				p, err := bt.AddPost(blogd.PostCreate{Title: "t", Content: "c", UserID: owner, CategoryIDs: cats})
				if err != nil {
					return err
				}
				posts = append(posts, p)
			}
			// 13 comments on post 0, all but the first replying to it; one
			// on post 1.
			var parent *int64
			for i := range 14 {
				post := posts[0]
				if i == 13 {
					post, parent = posts[1], nil
				}
				c, err := bt.AddComment(blogd.CommentCreate{Content: "x", PostID: post, UserID: users[i%2], ParentID: parent})
				if err != nil {
					return err
				}
				comments = append(comments, c)
				if i == 0 {
					parent = &comments[0]
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// What each relation holds for a parent, in order, by a plain query.
		want := map[string]string{
			"user.profile":    "SELECT id FROM profiles WHERE user_id = ?",
			"user.posts":      "SELECT id FROM posts WHERE user_id = ? ORDER BY id",
			"user.comments":   "SELECT id FROM comments WHERE user_id = ? ORDER BY id",
			"user.roles":      "SELECT role_id FROM user_roles WHERE user_id = ? ORDER BY role_id",
			"post.author":     "SELECT user_id FROM posts WHERE id = ?",
			"post.categories": "SELECT category_id FROM post_categories WHERE post_id = ? ORDER BY category_id",
			"post.comments":   "SELECT id FROM comments WHERE post_id = ? ORDER BY id",
			"comment.author":  "SELECT user_id FROM comments WHERE id = ?",
			"comment.post":    "SELECT post_id FROM comments WHERE id = ?",
			"comment.parent":  "SELECT parent_id FROM comments WHERE id = ? AND parent_id IS NOT NULL",
			"comment.replies": "SELECT id FROM comments WHERE parent_id = ? ORDER BY id",
			"category.posts":  "SELECT post_id FROM post_categories WHERE category_id = ? ORDER BY post_id",
			"role.users":      "SELECT user_id FROM user_roles WHERE role_id = ? ORDER BY user_id",
		}
		parents := map[store.Resource][]int64{
			store.ResourceUser: users, store.ResourcePost: posts[:3], store.ResourceComment: comments[:3],
			store.ResourceCategory: cats, store.ResourceRole: roles,
		}
		// The parents' rows, as reads have them, and one of each resource
		// that is not in the database and names none that is.
		const unknown = 999999
		parentRows := func(r store.Resource, ids []int64) []blogd.Keyed {
			rows := parentsLeft(t, s, r, ids)
			if len(rows) != len(ids) {
				t.Fatalf("%d of %d %s rows read", len(rows), len(ids), r)
			}
			none := int64(unknown)
			return append(rows, map[store.Resource]blogd.Keyed{
				store.ResourceUser:     blogd.User{ID: unknown},
				store.ResourcePost:     blogd.Post{ID: unknown, UserID: unknown},
				store.ResourceComment:  blogd.Comment{ID: unknown, UserID: unknown, PostID: unknown, ParentID: &none},
				store.ResourceCategory: blogd.Category{ID: unknown},
				store.ResourceRole:     blogd.Role{ID: unknown},
			}[r])
		}
		const limit = 10
		seen := 0
		for r, ids := range parents {
			rows := parentRows(r, ids)
			for _, rel := range store.Relations(r) {
				name := string(r) + "." + rel.Name
				sctx, stats := store.WithStats(ctx)
				got, err := s.Embed(sctx, rel, rows, limit)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if stats.Statements() != 1 {
					t.Errorf("%s: %d statements", name, stats.Statements())
				}
				if len(got) != len(rows) {
					t.Fatalf("%s: %d embeds for %d parents", name, len(got), len(rows))
				}
				if e := got[len(ids)]; e == nil || len(e.Rows) != 0 || e.More { // the unknown parent, last
					t.Errorf("%s: unknown parent %+v", name, e)
				}
				for i, id := range ids {
					all := tableIDs(t, s, s.Rebind(want[name]), id)
					var gotIDs []int64
					for _, row := range got[i].Rows {
						gotIDs = append(gotIDs, row.Key().ID)
					}
					wantIDs := all[:min(len(all), limit)]
					if !slices.Equal(gotIDs, wantIDs) || got[i].More != (len(all) > limit) {
						t.Errorf("%s of %d: %v more=%v, want %v of %d", name, id, gotIDs, got[i].More, wantIDs, len(all))
					}
					if !rel.Many && len(gotIDs) > 1 {
						t.Errorf("%s of %d: %d rows for a one relation", name, id, len(gotIDs))
					}
				}
				seen++
			}
		}
		if seen != len(want) {
			t.Errorf("%d relations checked, want %d", seen, len(want))
		}
	})
}
