package api_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blogd/blogd"
)

func catIDs(p blogd.PostWithRelations) []int64 {
	out := []int64{}
	for _, c := range p.Categories {
		out = append(out, c.ID)
	}
	return out
}

func TestPostCRUD(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		golang, sql, web := e.category("go"), e.category("sql"), e.category("web")

		var p blogd.PostWithRelations
		r := e.call("POST", "/posts", map[string]any{"title": "Joins", "content": "How to join.", "user_id": ada,
			"category_ids": []int64{sql, golang, sql}}, 201, &p)
		if p.ID == 0 || p.Title != "Joins" || p.UserID != ada || p.Author.ID != ada || p.Author.Username != "ada" {
			t.Errorf("created %+v", p)
		}
		if got := catIDs(p); !equalIDs(got, []int64{golang, sql}) {
			t.Errorf("categories %v (repeated ids count once, ordered by id)", got)
		}
		if r.header.Get("Location") != fmt.Sprintf("/posts/%d", p.ID) {
			t.Errorf("Location %q", r.header.Get("Location"))
		}
		if n := e.count("post_categories", "post_id = ?", p.ID); n != 2 {
			t.Errorf("%d links", n)
		}

		var got blogd.PostWithRelations
		e.call("GET", fmt.Sprintf("/posts/%d", p.ID), nil, 200, &got)
		if got.Title != p.Title || got.Author != p.Author || !equalIDs(catIDs(got), catIDs(p)) || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("get %+v, want %+v", got, p)
		}

		// PATCH replaces the category set; a kept link keeps its created_at.
		var before []blogd.LinkedCategory
		e.call("GET", fmt.Sprintf("/posts/%d/categories", p.ID), nil, 200, &before)
		time.Sleep(2 * time.Millisecond)
		e.call("PATCH", fmt.Sprintf("/posts/%d", p.ID), map[string]any{"title": "Joins, again", "category_ids": []int64{web, sql}}, 200, &got)
		if got.Title != "Joins, again" || got.Content != "How to join." || !equalIDs(catIDs(got), []int64{sql, web}) {
			t.Errorf("patched %+v", got)
		}
		var after []blogd.LinkedCategory
		e.call("GET", fmt.Sprintf("/posts/%d/categories", p.ID), nil, 200, &after)
		if len(after) != 2 || after[0].ID != sql || !after[0].LinkedAt.Equal(before[1].LinkedAt) || !after[1].LinkedAt.After(after[0].LinkedAt) {
			t.Errorf("links before %+v after %+v", before, after)
		}
		e.call("PATCH", fmt.Sprintf("/posts/%d", p.ID), map[string]any{"category_ids": []int64{}}, 200, &got)
		if len(got.Categories) != 0 || e.count("post_categories", "post_id = ?", p.ID) != 0 {
			t.Errorf("empty set kept %v", got.Categories)
		}

		e.call("DELETE", fmt.Sprintf("/posts/%d", p.ID), nil, 204, nil)
		e.fail("GET", fmt.Sprintf("/posts/%d", p.ID), nil, 404, "Post not found")
		e.fail("DELETE", fmt.Sprintf("/posts/%d", p.ID), nil, 404, "Post not found")
		e.fail("PATCH", fmt.Sprintf("/posts/%d", p.ID), map[string]any{"title": "x"}, 404, "Post not found")
	})
}

func TestPostErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		cat := e.category("go")
		e.fail("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": 999999}, 404, "User not found")
		e.fail("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": ada, "category_ids": []int64{cat, 999999}}, 404, "Category not found")
		// With both missing, the author is named: it is checked first.
		e.fail("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": 999999, "category_ids": []int64{cat, 999999}}, 404, "User not found")
		p := e.fail("POST", "/posts", map[string]any{"title": "", "content": "", "user_id": 0}, 422, "")
		if len(p.Errors) != 3 {
			t.Errorf("want 3 errors, got %+v", p.Errors)
		}
		e.fail("POST", "/posts", `{"title":"t","content":"c","user_id":"1"}`, 422, "")
		e.fail("POST", "/posts", `{"title":"t","content":"c","user_id":1e30}`, 422, "")
		e.fail("POST", "/posts", `{"title":"t","content":"c","user_id":1,"category_ids":"1"}`, 422, "")
		if n := e.count("posts", ""); n != 0 {
			t.Errorf("%d posts after bad input", n)
		}
		e.fail("GET", "/posts?user_id=0", nil, 422, "")
		e.fail("GET", "/posts/999999/categories", nil, 404, "Post not found")
	})
}

// A multi-row write that fails part-way leaves nothing behind: the PATCH
// below updates the post's title, then finds a missing category, and the
// whole change is rolled back.
func TestPostPatchIsAtomic(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		golang, sql := e.category("go"), e.category("sql")
		id := e.post(ada, golang)
		e.fail("PATCH", fmt.Sprintf("/posts/%d", id), map[string]any{"title": "changed", "category_ids": []int64{sql, 999999}},
			404, "Category not found")
		var p blogd.PostWithRelations
		e.call("GET", fmt.Sprintf("/posts/%d", id), nil, 200, &p)
		if p.Title != "a post" || !equalIDs(catIDs(p), []int64{golang}) {
			t.Errorf("half-applied change: %+v", p)
		}
		// And a create whose links cannot be made leaves no post.
		e.fail("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": ada, "category_ids": []int64{sql, 999999}}, 404, "Category not found")
		if n := e.count("posts", ""); n != 1 {
			t.Errorf("%d posts", n)
		}
	})
}

func TestPostListAndFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		golang, sql := e.category("go"), e.category("sql")
		p1 := e.post(ada, golang)
		p2 := e.post(bob, sql, golang)
		p3 := e.post(ada)
		p4 := e.post(bob, sql)

		var all []blogd.PostWithRelations
		e.call("GET", "/posts", nil, 200, &all)
		if len(all) != 4 || all[1].ID != p2 || all[1].Author.Username != "bob" || !equalIDs(catIDs(all[1]), []int64{golang, sql}) {
			t.Errorf("list %+v", all)
		}
		if all[2].Categories == nil || len(all[2].Categories) != 0 {
			t.Errorf("post without categories: %+v", all[2].Categories)
		}
		for _, c := range []struct {
			query string
			want  []int64
		}{
			{"?skip=1&limit=2", []int64{p2, p3}},
			{fmt.Sprintf("?user_id=%d", ada), []int64{p1, p3}},
			{fmt.Sprintf("?category_id=%d", sql), []int64{p2, p4}},
			{fmt.Sprintf("?category_id=%d&user_id=%d", golang, bob), []int64{p2}},
			{"?category_id=999999", []int64{}},
		} {
			r := e.call("GET", "/posts"+c.query, nil, 200, nil)
			if got := ids(t, r.body); !equalIDs(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
	})
}

func TestPostCategoryLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		golang, sql := e.category("go"), e.category("sql")
		id := e.post(ada, golang)

		var p blogd.PostWithRelations
		for range 2 { // idempotent
			e.call("POST", fmt.Sprintf("/posts/%d/categories/%d", id, sql), nil, 200, &p)
			if !equalIDs(catIDs(p), []int64{golang, sql}) {
				t.Errorf("after link %v", catIDs(p))
			}
		}
		if n := e.count("post_categories", "post_id = ?", id); n != 2 {
			t.Errorf("%d links", n)
		}
		var linked []blogd.LinkedCategory
		e.call("GET", fmt.Sprintf("/posts/%d/categories?limit=1&skip=1", id), nil, 200, &linked)
		if len(linked) != 1 || linked[0].ID != sql || linked[0].Name != "sql" || linked[0].LinkedAt.IsZero() {
			t.Errorf("linked %+v", linked)
		}
		e.fail("POST", fmt.Sprintf("/posts/%d/categories/999999", id), nil, 404, "Category not found")
		e.fail("POST", fmt.Sprintf("/posts/999999/categories/%d", sql), nil, 404, "Post not found")

		e.call("DELETE", fmt.Sprintf("/posts/%d/categories/%d", id, sql), nil, 204, nil)
		e.fail("DELETE", fmt.Sprintf("/posts/%d/categories/%d", id, sql), nil, 404, "Category not assigned to this post")
		e.fail("DELETE", fmt.Sprintf("/posts/999999/categories/%d", sql), nil, 404, "Post not found")
		e.fail("DELETE", fmt.Sprintf("/posts/%d/categories/999999", id), nil, 404, "Category not found")

		// Deleting a category keeps its posts and drops the links.
		e.call("DELETE", fmt.Sprintf("/categories/%d", golang), nil, 204, nil)
		e.call("GET", fmt.Sprintf("/posts/%d", id), nil, 200, &p)
		if len(p.Categories) != 0 || e.count("post_categories", "") != 0 {
			t.Errorf("links survive their category: %+v", p.Categories)
		}
	})
}

// TestPostListCategoriesOfFilteredPages checks the categories of each post
// in filtered pages: pages of nearly consecutive ids (read as one range of
// links, which also holds other posts' links) and pages of scattered ids
// (read by id list).
func TestPostListCategoriesOfFilteredPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		golang, sql, web := e.category("go"), e.category("sql"), e.category("web")
		want := map[int64][]int64{}
		post := func(user int64, cats ...int64) {
			want[e.post(user, cats...)] = cats
		}
		post(ada, golang)
		post(bob, sql, web) // inside ada's first range
		post(ada, sql)
		for range 10 { // ada's next post is far from her first two
			post(bob, golang, web)
		}
		post(ada, web, golang)

		for _, q := range []string{
			fmt.Sprintf("?user_id=%d&limit=2", ada),        // ids 2 apart: one range
			fmt.Sprintf("?user_id=%d", ada),                // scattered: id list
			fmt.Sprintf("?user_id=%d&skip=1", bob),         // bob's, with ada's in between
			fmt.Sprintf("?category_id=%d", web),            // scattered
			fmt.Sprintf("?category_id=%d&limit=3", golang), // mixed
			"?skip=3&limit=5",
		} {
			var page []blogd.PostWithRelations
			e.call("GET", "/posts"+q, nil, 200, &page)
			if len(page) == 0 {
				t.Errorf("%s: empty page", q)
			}
			for _, p := range page {
				if !equalIDs(catIDs(p), sortedIDs(want[p.ID])) {
					t.Errorf("%s: post %d has categories %v, want %v", q, p.ID, catIDs(p), want[p.ID])
				}
			}
		}
	})
}

func sortedIDs(in []int64) []int64 {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}
