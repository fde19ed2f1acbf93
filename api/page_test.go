package api_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestListPages pages through every whole-table list with every skip,
// including past the end, through HTTP, on tables whose ids have gaps. Each
// page must be exactly the slice of the full list that skip and limit name.
// (store's TestDeepPages does the same on tables of several blocks of
// page_blocks, with their counts checked.)
func TestListPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		var users, posts, comments []int64
		for i := range 6 {
			users = append(users, e.user(fmt.Sprintf("pager%d", i)))
		}
		for i := range 9 {
			posts = append(posts, e.post(users[i%len(users)]))
		}
		for range 9 {
			comments = append(comments, e.comment(posts[0], users[0], 0))
		}
		// Gaps: the ids of the remaining rows are no longer consecutive.
		e.call("DELETE", fmt.Sprintf("/users/%d", users[3]), nil, 204, nil)
		e.call("DELETE", fmt.Sprintf("/posts/%d", posts[2]), nil, 204, nil)
		e.call("DELETE", fmt.Sprintf("/posts/%d", posts[6]), nil, 204, nil)
		e.call("DELETE", fmt.Sprintf("/comments/%d", comments[4]), nil, 204, nil)

		for _, list := range []struct{ path, table string }{
			{"/users", "users"}, {"/posts", "posts"}, {"/comments", "comments"},
		} {
			all := ids(t, e.call("GET", list.path+"?limit=1000", nil, 200, nil).body)
			if n := e.count(list.table, ""); len(all) != n || !slices.IsSorted(all) {
				t.Fatalf("%s: %v, want all %d rows by id", list.path, all, n)
			}
			n := len(all)
			for skip := 0; skip <= n+1; skip++ {
				for _, limit := range []int{1, 2, 3, n} {
					want := all[min(skip, n):min(skip+limit, n)]
					q := fmt.Sprintf("%s?skip=%d&limit=%d", list.path, skip, limit)
					if got := ids(t, e.call("GET", q, nil, 200, nil).body); !equalIDs(got, want) {
						t.Errorf("%s: %v, want %v", q, got, want)
					}
				}
			}
			// The largest skip the API takes: skip * 2 overflows SQLite's
			// integers, and the page is still empty.
			q := fmt.Sprintf("%s?skip=%d&limit=1000", list.path, math.MaxInt64)
			if got := ids(t, e.call("GET", q, nil, 200, nil).body); len(got) != 0 {
				t.Errorf("%s: %v, want []", q, got)
			}
		}
	})
}
