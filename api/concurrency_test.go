package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// 50 concurrent clients create posts and comments on shared users and
// posts, and delete some of them, shared posts included. No request may get
// a 5xx, and afterwards the rows in the database are exactly those the 2xx
// answers imply.
func TestConcurrentClients(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		const clients, opsPerClient, sharedPosts = 50, 16, 10
		var users, shared []int64
		for i := range 5 {
			users = append(users, e.user(fmt.Sprintf("u%d", i)))
		}
		cat := e.category("go")
		for i := range sharedPosts {
			shared = append(shared, e.post(users[i%len(users)], cat))
		}

		type comment struct{ id, post, parent int64 }
		var (
			mu              sync.Mutex
			createdPosts    []int64
			createdComments []comment
			deletedPosts    = map[int64]bool{}
			deletedComments = map[int64]bool{}
			statuses        = map[int]int{}
		)
		record := func(status int) {
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}
		var wg sync.WaitGroup
		for w := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				user := users[w%len(users)]
				var myPosts []int64
				var myComments []comment
				for i := range opsPerClient {
					switch i % 4 {
					case 0: // a post of one's own
						r := e.do("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": user, "category_ids": []int64{cat}})
						record(r.status)
						if r.status == http.StatusCreated {
							var p idOnly
							json.Unmarshal(r.body, &p)
							myPosts = append(myPosts, p.ID)
							mu.Lock()
							createdPosts = append(createdPosts, p.ID)
							mu.Unlock()
						}
					case 1, 2: // a comment on a shared post, or a reply to one's own comment
						c := comment{post: shared[rng.IntN(sharedPosts)]}
						body := map[string]any{"content": "c", "user_id": users[rng.IntN(len(users))]}
						if i%4 == 2 && len(myComments) > 0 {
							parent := myComments[rng.IntN(len(myComments))]
							c.post, c.parent = parent.post, parent.id
							body["parent_id"] = parent.id
						}
						r := e.do("POST", fmt.Sprintf("/posts/%d/comments", c.post), body)
						record(r.status)
						if r.status == http.StatusCreated {
							var got idOnly
							json.Unmarshal(r.body, &got)
							c.id = got.ID
							myComments = append(myComments, c)
							mu.Lock()
							createdComments = append(createdComments, c)
							mu.Unlock()
						}
					case 3: // delete: a shared post (a few clients), one's own post, or a comment
						var path string
						var post, cmt int64
						switch {
						case w < 4 && i == 3:
							post = shared[w]
						case len(myComments) > 0 && rng.IntN(2) == 0:
							cmt = myComments[rng.IntN(len(myComments))].id
						case len(myPosts) > 0:
							post = myPosts[0]
						default:
							continue
						}
						if post != 0 {
							path = fmt.Sprintf("/posts/%d", post)
						} else {
							path = fmt.Sprintf("/comments/%d", cmt)
						}
						r := e.do("DELETE", path, nil)
						record(r.status)
						if r.status == http.StatusNoContent {
							mu.Lock()
							if post != 0 {
								deletedPosts[post] = true
							} else {
								deletedComments[cmt] = true
							}
							mu.Unlock()
						}
					}
				}
			}()
		}
		wg.Wait()

		for status, n := range statuses {
			// 404: the post or parent was deleted by another client meanwhile.
			if status != http.StatusCreated && status != http.StatusNoContent && status != http.StatusNotFound {
				t.Errorf("%d answers with status %d", n, status)
			}
		}
		if statuses[http.StatusCreated] < clients*opsPerClient/2 {
			t.Errorf("too few writes succeeded: %v", statuses)
		}

		// Posts: the shared and created ones, less the deleted.
		var wantPosts []int64
		for _, id := range append(slices.Clone(shared), createdPosts...) {
			if !deletedPosts[id] {
				wantPosts = append(wantPosts, id)
			}
		}
		// Comments: those created, unless their post, they or an ancestor was
		// deleted.
		byID := map[int64]comment{}
		for _, c := range createdComments {
			byID[c.id] = c
		}
		gone := func(c comment) bool {
			for {
				if deletedPosts[c.post] || deletedComments[c.id] {
					return true
				}
				if c.parent == 0 {
					return false
				}
				c = byID[c.parent]
			}
		}
		var wantComments []int64
		for _, c := range createdComments {
			if !gone(c) {
				wantComments = append(wantComments, c.id)
			}
		}
		slices.Sort(wantPosts)
		slices.Sort(wantComments)
		if got := e.allIDs("posts"); !slices.Equal(got, wantPosts) {
			t.Errorf("posts: %d in the database, %d acknowledged\ngot  %v\nwant %v", len(got), len(wantPosts), got, wantPosts)
		}
		if got := e.allIDs("comments"); !slices.Equal(got, wantComments) {
			t.Errorf("comments: %d in the database, %d acknowledged", len(got), len(wantComments))
		}
		if len(deletedPosts) == 0 || len(deletedComments) == 0 || statuses[http.StatusNotFound] == 0 {
			t.Logf("statuses %v, deleted %d posts and %d comments", statuses, len(deletedPosts), len(deletedComments))
		}
	})
}

// allIDs reads every id of a table straight from the database, in order.
func (e *env) allIDs(table string) []int64 {
	e.t.Helper()
	rows, err := e.store.ReadDB().Query("SELECT id FROM " + table + " ORDER BY id")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}
