package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// Deleting a user removes their posts, the posts' category links and
// comments, the user's own comments and every reply below them, the profile
// and role links, and leaves other users' own comments alone.
func TestUserDeleteCascades(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		cat := e.category("go")
		role := e.role("editor")
		e.call("POST", fmt.Sprintf("/users/%d/profile", ada), map[string]any{"bio": "x"}, 201, nil)
		e.call("POST", fmt.Sprintf("/users/%d/profile", bob), map[string]any{"bio": "y"}, 201, nil)
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, role), nil, 200, nil)
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", bob, role), nil, 200, nil)

		adaPost := e.post(ada, cat)
		bobPost := e.post(bob, cat)
		// On ada's post: bob's comment goes with the post.
		onAdaPost := e.comment(adaPost, bob, 0)
		// On bob's post: ada's comment, bob's reply under it (goes with ada's
		// comment), and bob's own top-level comment (stays), with ada's reply
		// under it (goes, it is ada's).
		adaComment := e.comment(bobPost, ada, 0)
		bobReplyToAda := e.comment(bobPost, bob, adaComment)
		bobDeepReply := e.comment(bobPost, bob, bobReplyToAda)
		bobComment := e.comment(bobPost, bob, 0)
		adaReplyToBob := e.comment(bobPost, ada, bobComment)
		bobReplyToAdaReply := e.comment(bobPost, bob, adaReplyToBob)

		e.call("DELETE", fmt.Sprintf("/users/%d", ada), nil, 204, nil)

		for _, c := range []struct {
			table, where string
			args         []any
			want         int
		}{
			{"users", "id = ?", []any{ada}, 0},
			{"profiles", "user_id = ?", []any{ada}, 0},
			{"user_roles", "user_id = ?", []any{ada}, 0},
			{"posts", "user_id = ?", []any{ada}, 0},
			{"post_categories", "post_id = ?", []any{adaPost}, 0},
			{"comments", "user_id = ?", []any{ada}, 0},
			{"comments", "id IN (?, ?, ?, ?)", []any{onAdaPost, bobReplyToAda, bobDeepReply, bobReplyToAdaReply}, 0},
			// What is bob's stays.
			{"users", "id = ?", []any{bob}, 1},
			{"profiles", "user_id = ?", []any{bob}, 1},
			{"user_roles", "user_id = ?", []any{bob}, 1},
			{"posts", "id = ?", []any{bobPost}, 1},
			{"post_categories", "post_id = ?", []any{bobPost}, 1},
			{"comments", "id = ?", []any{bobComment}, 1},
			{"categories", "", nil, 1},
			{"roles", "", nil, 2}, // editor and the env's admin role
		} {
			if n := e.count(c.table, c.where, c.args...); n != c.want {
				t.Errorf("%s where %s %v: %d rows, want %d", c.table, c.where, c.args, n, c.want)
			}
		}
		if bk.Name != "sqlite" {
			return // PostgreSQL checks every foreign key itself, always
		}
		var fk []any
		rows, err := e.store.ReadDB().Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			fk = append(fk, 1)
		}
		rows.Close()
		if len(fk) != 0 {
			t.Errorf("foreign_key_check found %d orphans", len(fk))
		}
	})
}

func TestPostDeleteCascades(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		cat := e.category("go")
		post := e.post(ada, cat)
		c := e.comment(post, ada, 0)
		e.comment(post, ada, c)
		keep := e.post(ada, cat)
		kept := e.comment(keep, ada, 0)
		e.call("DELETE", fmt.Sprintf("/posts/%d", post), nil, 204, nil)
		if n := e.count("comments", "post_id = ?", post); n != 0 {
			t.Errorf("%d comments survive their post", n)
		}
		if n := e.count("post_categories", "post_id = ?", post); n != 0 {
			t.Errorf("%d links survive their post", n)
		}
		if e.count("comments", "id = ?", kept) != 1 || e.count("categories", "") != 1 || e.count("users", "") != 2 {
			t.Errorf("deleting a post removed more than its own")
		}
	})
}

// Concurrent writers never see "database is locked" (or any 5xx): each write
// below must succeed, and every acknowledged row must be there.
func TestConcurrentWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		cat := e.category("go")
		post := e.post(ada, cat)
		const workers, each = 32, 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var r response
					if i%2 == 0 {
						r = e.do("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": ada, "category_ids": []int64{cat}})
					} else {
						r = e.do("POST", fmt.Sprintf("/posts/%d/comments", post), map[string]any{"content": fmt.Sprint(w, i), "user_id": ada})
					}
					mu.Lock()
					statuses[r.status]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if statuses[http.StatusCreated] != workers*each {
			t.Errorf("statuses %v", statuses)
		}
		if n := e.count("posts", ""); n != 1+workers*each/2 {
			t.Errorf("%d posts", n)
		}
		if n := e.count("comments", ""); n != workers*each/2 {
			t.Errorf("%d comments", n)
		}
	})
}
