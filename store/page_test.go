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

// TestDeepPages pages through whole tables of a few thousand rows, with
// gaps in their ids from plain deletes, from a range of deletes that empties
// whole blocks, and from a user's delete that cascades to posts and
// comments. On SQLite a page starts from the counts of page_blocks, kept by
// triggers (migration 00004), so every page must still be exactly the slice
// of the full list that skip and limit name, and every block's counts must
// equal a recount of the table.
func TestDeepPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		s := b.Open(t, store.Options{})
		defer s.Close()
		owner, err := s.CreateUser(ctx, blogd.UserCreate{Username: "owner", Email: "owner@example.com"}, "")
		if err != nil {
			t.Fatal(err)
		}
		doomed, err := s.CreateUser(ctx, blogd.UserCreate{Username: "doomed", Email: "doomed@example.com"}, "")
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.CreatePost(ctx, blogd.PostCreate{Title: "t", Content: "c", UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateComment(ctx, blogd.CommentCreate{Content: "c", PostID: first.ID, UserID: owner.ID}); err != nil {
			t.Fatal(err)
		}

		// Rows in bulk; every third post and comment is doomed's.
		const rows = 4000
		author := "(SELECT id FROM users WHERE username = CASE WHEN i % 3 = 0 THEN 'doomed' ELSE 'owner' END)"
		for _, q := range []string{
			`INSERT INTO users (username, email, created_at)
				SELECT 'bulk' || i, 'bulk' || i || '@example.com', p.created_at FROM s, posts p WHERE p.id = ?`,
			`INSERT INTO posts (title, content, user_id, created_at)
				SELECT p.title, p.content, ` + author + `, p.created_at FROM s, posts p WHERE p.id = ?`,
			`INSERT INTO comments (content, post_id, user_id, created_at)
				SELECT p.content, p.id, ` + author + `, p.created_at FROM s, posts p WHERE p.id = ?`,
		} {
			q = fmt.Sprintf("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) ", rows) + q
			if err := s.ExecInTx(ctx, q, first.ID); err != nil {
				t.Fatal(err)
			}
		}
		tables := []string{"users", "posts", "comments"}
		for _, table := range tables {
			// Scattered gaps, and whole blocks of 1,024 ids emptied.
			if err := s.ExecInTx(ctx, "DELETE FROM "+table+" WHERE id % 7 = 3 AND id > ?", doomed.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.ExecInTx(ctx, "DELETE FROM "+table+" WHERE id BETWEEN 2000 AND 3100"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteUser(ctx, doomed.ID); err != nil { // cascades to posts and comments
			t.Fatal(err)
		}

		lists := map[string]func(p blogd.Page) ([]int64, bool, error){
			"users": func(p blogd.Page) ([]int64, bool, error) {
				return idsOf(s.Users(ctx, blogd.UserFilter{}, p))(func(u blogd.User) int64 { return u.ID })
			},
			"posts": func(p blogd.Page) ([]int64, bool, error) {
				return idsOf(s.Posts(ctx, blogd.PostFilter{}, p))(func(p blogd.PostWithRelations) int64 { return p.ID })
			},
			"comments": func(p blogd.Page) ([]int64, bool, error) {
				return idsOf(s.Comments(ctx, p))(func(c blogd.Comment) int64 { return c.ID })
			},
		}
		for _, table := range tables {
			all := tableIDs(t, s, "SELECT id FROM "+table+" ORDER BY id")
			n := len(all)
			if n < 500 || all[n-1] < 3072 {
				t.Fatalf("%s: %d rows up to id %d; the test needs several blocks", table, n, all[n-1])
			}
			for skip := 0; skip <= n+1; skip++ {
				limits := []int{3}
				if skip%97 == 0 || skip >= n-1 {
					limits = append(limits, 1, 100, n)
				}
				for _, limit := range limits {
					got, more, err := lists[table](blogd.Page{Skip: skip, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					if more != (skip+limit < n) {
						t.Fatalf("%s skip=%d limit=%d: more=%v with %d rows", table, skip, limit, more, n)
					}
					if want := all[min(skip, n):min(skip+limit, n)]; !slices.Equal(got, want) {
						t.Fatalf("%s skip=%d limit=%d: %v, want %v", table, skip, limit, got, want)
					}
				}
			}
			if b.Name != "sqlite" {
				continue
			}
			// Each block's counts, against a recount of the table.
			if wrong, err := store.PageBlocksWrong(ctx, s.ReadDB(), table); err != nil || len(wrong) > 0 {
				t.Errorf("%s: page_blocks wrong or missing for blocks %v (%v)", table, wrong, err)
			}
		}
	})
}

// idsOf turns a list function's result into its ids, and whether more
// rows follow.
func idsOf[T any](list blogd.List[T], err error) func(id func(T) int64) ([]int64, bool, error) {
	return func(id func(T) int64) ([]int64, bool, error) {
		if err != nil {
			return nil, false, err
		}
		out := make([]int64, len(list.Items))
		for i, v := range list.Items {
			out[i] = id(v)
		}
		return out, list.More, nil
	}
}

// tableIDs runs a query of one integer column on the read pool.
func tableIDs(t *testing.T, s *store.Store, q string, args ...any) []int64 {
	t.Helper()
	rows, err := s.ReadDB().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
