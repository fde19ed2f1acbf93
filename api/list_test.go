package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var nextLinkRe = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// walk follows a list's Link headers from path to the end and returns the
// ids of its rows in the order served, with the number of pages.
func (e *env) walk(path string) (served []int64, pages int) {
	e.t.Helper()
	for path != "" {
		r := e.call("GET", path, nil, 200, nil)
		served = append(served, ids(e.t, r.body)...)
		pages++
		path = ""
		if link := r.header.Get("Link"); link != "" {
			m := nextLinkRe.FindStringSubmatch(link)
			if m == nil {
				e.t.Fatalf("Link %q", link)
			}
			path = m[1]
		}
		if pages > 1000 {
			e.t.Fatalf("walk of %s does not end", path)
		}
	}
	return served, pages
}

func withQuery(path, q string) string {
	if strings.Contains(path, "?") {
		return path + "&" + q
	}
	return path + "?" + q
}

// Every list walks to its end by Link, each row once and in order, in both
// orders, and agrees with the same list read in one page.
func TestListsWalkByCursor(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		cat, other := e.category("go"), e.category("sql")
		role, role2 := e.role("editor"), e.role("writer")
		for _, u := range []int64{ada, bob} {
			e.call("POST", fmt.Sprintf("/users/%d/roles/%d", u, role), nil, 200, nil)
		}
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, role2), nil, 200, nil)
		var posts []int64
		for i := range 11 {
			owner := ada
			if i%3 == 0 {
				owner = bob
			}
			posts = append(posts, e.post(owner, cat, other))
		}
		top := e.comment(posts[0], ada, 0)
		for i := range 9 {
			parent := int64(0)
			if i%2 == 0 {
				parent = top
			}
			e.comment(posts[0], bob, parent)
		}
		for range 6 {
			e.user(fmt.Sprintf("u%d", len(posts)+int(e.count("users", ""))))
		}

		lists := []string{"/users", fmt.Sprintf("/users?role_id=%d", role), fmt.Sprintf("/users?category_id=%d", cat),
			fmt.Sprintf("/users?category_id=%d&role_id=%d", cat, role), "/posts", fmt.Sprintf("/posts?user_id=%d", ada),
			fmt.Sprintf("/posts?category_id=%d", cat), "/comments", "/categories", "/roles",
			fmt.Sprintf("/users/%d/posts", ada), fmt.Sprintf("/users/%d/roles", ada), fmt.Sprintf("/posts/%d/comments", posts[0]),
			fmt.Sprintf("/posts/%d/categories", posts[0]), fmt.Sprintf("/posts/%d/comments/tree", posts[0]),
			fmt.Sprintf("/comments/%d/replies", top), fmt.Sprintf("/categories/%d/posts", cat), fmt.Sprintf("/roles/%d/users", role)}
		for _, list := range lists {
			sorts := []string{"id", "-id"}
			if strings.HasPrefix(list, "/posts?") || list == "/posts" || strings.HasSuffix(list, "/posts") {
				sorts = append(sorts, "created_at", "-created_at")
			}
			for _, sort := range sorts {
				all := ids(t, e.call("GET", withQuery(list, "limit=1000&sort="+sort), nil, 200, nil).body)
				if len(all) < 2 {
					t.Fatalf("%s: %d rows; the test needs more", list, len(all))
				}
				if sort == "id" || sort == "created_at" {
					if !slices.IsSorted(all) {
						t.Errorf("%s sort=%s: %v", list, sort, all)
					}
				} else if !slices.IsSortedFunc(all, func(a, b int64) int { return int(b - a) }) {
					t.Errorf("%s sort=%s: %v", list, sort, all)
				}
				got, pages := e.walk(withQuery(list, "limit=2&sort="+sort))
				if !slices.Equal(got, all) || pages != (len(all)+1)/2 {
					t.Errorf("%s sort=%s: walked %v in %d pages, want %v", list, sort, got, pages, all)
				}
				// count=exact counts the whole list, on every page.
				r := e.call("GET", withQuery(list, "limit=1&count=exact&sort="+sort), nil, 200, nil)
				if n, err := strconv.Atoi(r.header.Get("X-Total-Count")); err != nil || n != len(all) {
					t.Errorf("%s: X-Total-Count %q, want %d", list, r.header.Get("X-Total-Count"), len(all))
				}
			}
		}
		// The last page has no Link; a page read by skip leads on by cursor.
		r := e.call("GET", "/posts?limit=1000", nil, 200, nil)
		if r.header.Get("Link") != "" {
			t.Errorf("last page with Link %q", r.header.Get("Link"))
		}
		r = e.call("GET", "/posts?skip=3&limit=2", nil, 200, nil)
		if link := r.header.Get("Link"); !strings.Contains(link, "after=") || strings.Contains(link, "skip=") {
			t.Errorf("Link after a skip page: %q", link)
		}
	})
}

// Rows inserted and deleted between pages: a walk serves each row once, in
// order; rows deleted before it reaches them are not served, rows inserted
// ahead of it are. Each kind of list query is walked so: a whole table
// (posts, also by time), a nested list (replies), the distinct authors of a
// category, and the threads of the comment tree.
func TestCursorWalkWithWritesBetweenPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		cat := e.category("go")
		post := e.post(ada)
		top := e.comment(post, ada, 0)
		for range 9 {
			e.post(ada)
			e.comment(post, ada, top)
			e.comment(post, ada, 0)
			e.post(e.user(fmt.Sprintf("w%d", e.count("users", ""))), cat)
		}
		lists := []struct {
			path   string
			sorts  []string
			delete string       // the address of a row, by id
			insert func() int64 // adds a row to the list, and returns its id
		}{
			{fmt.Sprintf("/comments/%d/replies", top), []string{"id", "-id"}, "/comments/%d", func() int64 { return e.comment(post, ada, top) }},
			{fmt.Sprintf("/users?category_id=%d", cat), []string{"id", "-id"}, "/users/%d",
				func() int64 { u := e.user(fmt.Sprintf("n%d", e.count("users", ""))); e.post(u, cat); return u }},
			{fmt.Sprintf("/posts/%d/comments/tree", post), []string{"id", "-id"}, "/comments/%d", func() int64 { return e.comment(post, ada, 0) }},
			// Last: its walks delete posts that the lists above hang off.
			{"/posts", []string{"id", "-id", "created_at", "-created_at"}, "/posts/%d", func() int64 { return e.post(ada) }},
		}
		for _, l := range lists {
			for _, sort := range l.sorts {
				all := ids(t, e.call("GET", withQuery(l.path, "limit=1000&sort="+sort), nil, 200, nil).body)
				r := e.call("GET", withQuery(l.path, "limit=3&sort="+sort), nil, 200, nil)
				seen := ids(t, r.body)
				// Delete the last row of the walk, and one already served;
				// insert one (ahead in the ascending orders, behind in the
				// descending ones).
				ahead, behind := all[len(all)-1], seen[0]
				e.call("DELETE", fmt.Sprintf(l.delete, ahead), nil, 204, nil)
				e.call("DELETE", fmt.Sprintf(l.delete, behind), nil, 204, nil)
				added := l.insert()
				next := nextLinkRe.FindStringSubmatch(r.header.Get("Link"))[1]
				rest, _ := e.walk(next)
				walked := append(seen, rest...)
				if slices.Contains(rest, ahead) {
					t.Errorf("%s sort=%s: served %d, deleted before the walk reached it", l.path, sort, ahead)
				}
				if slices.Contains(walked, added) == (sort[0] == '-') {
					t.Errorf("%s sort=%s: inserted %d served=%v", l.path, sort, added, slices.Contains(walked, added))
				}
				sorted := slices.Clone(walked)
				slices.Sort(sorted)
				if sort[0] == '-' {
					slices.Reverse(sorted)
				}
				if !slices.Equal(walked, sorted) || len(slices.Compact(slices.Clone(sorted))) != len(sorted) {
					t.Errorf("%s sort=%s: walked %v", l.path, sort, walked)
				}
				// Every row that was there throughout is served.
				for _, id := range all {
					if id != ahead && id != behind && !slices.Contains(walked, id) {
						t.Errorf("%s sort=%s: %d, there throughout, not served", l.path, sort, id)
					}
				}
			}
		}
	})
}

// A cursor works only where it was issued: garbled, edited, with another
// sort or another list, or with skip, it is a 422 naming query.after.
func TestCursorErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		for range 3 {
			e.post(ada)
			e.post(bob)
		}
		r := e.call("GET", fmt.Sprintf("/posts?user_id=%d&limit=1", ada), nil, 200, nil)
		next := nextLinkRe.FindStringSubmatch(r.header.Get("Link"))[1]
		cursor := next[strings.Index(next, "after=")+len("after="):]
		if i := strings.IndexByte(cursor, '&'); i >= 0 {
			cursor = cursor[:i]
		}
		edited := []byte(cursor)
		edited[3] ^= 1
		for _, tc := range []struct{ path, message string }{
			{"/posts?after=x", "garbled"},
			{"/posts?after=" + strings.Repeat("A", 40), "garbled"},
			{fmt.Sprintf("/posts?user_id=%d&after=%s", ada, edited), "garbled"},
			{fmt.Sprintf("/posts?user_id=%d&after=%s&sort=-id", ada, cursor), "sort=id"},
			{fmt.Sprintf("/posts?user_id=%d&after=%s", bob, cursor), "another list"},
			{"/posts?after=" + cursor, "another list"},
			{fmt.Sprintf("/users/%d/posts?after=%s", ada, cursor), "another list"},
			{fmt.Sprintf("/posts?user_id=%d&after=%s&skip=2", ada, cursor), "not both"},
			{"/posts?sort=name", ""},
			{"/users?sort=created_at", ""},
			{"/posts?count=maybe", ""},
		} {
			// Whether a cursor is one blogd issued for this list is beyond
			// what a schema can state; a bad sort or count is not.
			e.beyondSchema = tc.message != ""
			p := e.fail("GET", tc.path, nil, http.StatusUnprocessableEntity, "")
			e.beyondSchema = false
			found := false
			for _, fe := range p.Errors {
				found = found || (strings.HasPrefix(fe.Location, "query.") && strings.Contains(fe.Message, tc.message))
			}
			if !found {
				t.Errorf("%s: %+v", tc.path, p.Errors)
			}
		}
		// The cursor itself works where it was issued.
		e.call("GET", next, nil, 200, nil)
	})
}
