package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

// searchPosts are the posts that the search tests search, each for a case
// below: phrases, accents, CJK, HTML, stemming.
var searchPosts = []struct{ title, content string }{
	{"Eager loading in SQLAlchemy", "Use selectinload to avoid the N+1 problem when running queries."},
	{"Lazy relationships", "Lazy loading runs one query per row: the N+1 problem."},
	{"Café culture", "A crème brûlée at the café."},
	{"東京の旅行", "東京タワーに行きました。"},
	{"HTML in posts", "Write <script>alert(1)</script> & friends carefully."},
	{"Connections", "The pool connected many connections."},
	{"Running shoes", "A runner runs every morning."},
}

// searchEnv is an API over searchPosts; ids[i] is the id of searchPosts[i].
func searchEnv(t testing.TB, bk backend) (*env, []int64) {
	e := newEnv(t, bk)
	ada := e.user("ada")
	var out []int64
	for _, p := range searchPosts {
		var created idOnly
		e.call("POST", "/posts", map[string]any{"title": p.title, "content": p.content, "user_id": ada, "category_ids": []int64{}}, 201, &created)
		out = append(out, created.ID)
	}
	return e, out
}

// found is the ids that GET /posts?q= answers, in order, and the response.
func found(t testing.TB, e *env, q string, extra ...string) ([]int64, []byte) {
	t.Helper()
	path := "/posts?q=" + url.QueryEscape(q)
	for _, x := range extra {
		path += "&" + x
	}
	r := e.call("GET", path, nil, 200, nil)
	return ids(t, r.body), r.body
}

// The same table of cases on each database: the posts found (by index in
// searchPosts), in relevance order where ordered is set, else as a set.
func TestSearchCases(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e, post := searchEnv(t, bk)
		for _, tc := range []struct {
			q       string
			want    []int
			ordered bool
		}{
			{"problem", []int{0, 1}, false},
			{"loading", []int{0, 1}, true}, // a title's words weigh more than the content's
			{`"N+1 problem"`, []int{0, 1}, false},
			{`"problem N+1"`, nil, false}, // a phrase keeps its order
			{"lazy -query", nil, false},
			{"loading -lazy", []int{0}, false},
			{`loading -"lazy loading"`, []int{0}, false},
			{"eager lazy", nil, false}, // words are ANDed
			{"selectinload OR lazy", []int{0, 1}, false},
			{"selectinload OR tokyo", []int{0}, false},
			{"problem selectinload OR nothing", []int{0}, false},
			{"SQLALCHEMY", []int{0}, false}, // case
			{"café", []int{2}, false},
			{"cafe", []int{2}, false}, // accents
			{"CRÈME brulee", []int{2}, false},
			{"東京", []int{3}, false}, // CJK characters are words of their own
			{"タワー", []int{3}, false},
			{"京東", nil, false},
			{"script", []int{4}, false},
			{"connect", []int{5}, false}, // stemming: connected, connections
			{"connection", []int{5}, false},
			{"run", []int{0, 1, 6}, false}, // running, runs
			{"nowhere", nil, false},
			{`"unclosed phrase`, nil, false},
			{"OR lazy OR", []int{1}, false},
		} {
			got, _ := found(t, e, tc.q)
			var want []int64
			for _, i := range tc.want {
				want = append(want, post[i])
			}
			if !tc.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !equalIDs(got, want) {
				t.Errorf("q=%s: found %v, want %v", tc.q, got, want)
			}
		}

		// Snippets: the words found in <mark>, the rest escaped.
		_, body := found(t, e, "script")
		var hits []struct {
			Snippet string `json:"snippet"`
		}
		decode(t, body, &hits)
		if want := "Write &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; friends carefully."; len(hits) != 1 || hits[0].Snippet != want {
			t.Errorf("snippet %+v, want %q", hits, want)
		}
		_, body = found(t, e, "cafe")
		decode(t, body, &hits)
		if want := "A crème brûlée at the <mark>café</mark>."; len(hits) != 1 || hits[0].Snippet != want {
			t.Errorf("snippet %+v, want %q", hits, want)
		}
		// Snippets are kept for the searches asked again, never for an
		// older text: an edit makes a new one.
		e.call("PATCH", fmt.Sprintf("/posts/%d", post[4]), map[string]any{"content": "Edited: <script> once."}, 200, nil)
		_, body = found(t, e, "script")
		decode(t, body, &hits)
		if want := "Edited: &lt;<mark>script</mark>&gt; once."; len(hits) != 1 || hits[0].Snippet != want {
			t.Errorf("after the edit, snippet %+v, want %q", hits, want)
		}

		// Creates, edits and deletes are seen at once (a search's ranking
		// is kept only until the index changes).
		if got, _ := found(t, e, "zebra"); len(got) != 0 {
			t.Errorf("zebra finds %v", got)
		}
		var zebra idOnly
		e.call("POST", "/posts", map[string]any{"title": "Zebra", "content": "Stripes.", "user_id": e.adminID, "category_ids": []int64{}}, 201, &zebra)
		if got, _ := found(t, e, "zebra"); !equalIDs(got, []int64{zebra.ID}) {
			t.Errorf("after the create, zebra finds %v", got)
		}
		if got, _ := found(t, e, "connect"); !equalIDs(got, []int64{post[5]}) {
			t.Errorf("before the edit, connect finds %v", got)
		}
		e.call("PATCH", fmt.Sprintf("/posts/%d", post[5]), map[string]any{"title": "Pools", "content": "Nothing here."}, 200, nil)
		if got, _ := found(t, e, "connect"); len(got) != 0 {
			t.Errorf("after the edit, connect finds %v", got)
		}
		if got, _ := found(t, e, "pools"); !equalIDs(got, []int64{post[5]}) {
			t.Errorf("after the edit, pools finds %v", got)
		}
		if got, _ := found(t, e, "shoes"); !equalIDs(got, []int64{post[6]}) {
			t.Errorf("before the delete, shoes finds %v", got)
		}
		e.call("DELETE", fmt.Sprintf("/posts/%d", post[6]), nil, 204, nil)
		if got, _ := found(t, e, "shoes"); len(got) != 0 {
			t.Errorf("after the delete, shoes finds %v", got)
		}
		// A user's posts go with the user (a foreign-key cascade).
		var author struct {
			UserID int64 `json:"user_id"`
		}
		e.call("GET", fmt.Sprintf("/posts/%d", post[0]), nil, 200, &author)
		e.call("DELETE", fmt.Sprintf("/users/%d", author.UserID), nil, 204, nil)
		if got, _ := found(t, e, "problem"); len(got) != 0 {
			t.Errorf("after the author's delete, problem finds %v", got)
		}
	})
}

// A search combines with the filters, include, and pages by cursor in
// relevance order.
func TestSearchCombines(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		cat := e.category("go")
		var posts []int64
		for i := range 7 {
			var p idOnly
			user, cats := ada, []int64{}
			if i%2 == 1 {
				user, cats = bob, []int64{cat}
			}
			// More mentions of the word, a higher rank, on both engines.
			content := strings.Repeat("relation ", i+1) + strings.Repeat("filler ", 20)
			e.call("POST", "/posts", map[string]any{"title": fmt.Sprintf("post %d", i), "content": content, "user_id": user, "category_ids": cats}, 201, &p)
			posts = append(posts, p.ID)
		}
		all, _ := found(t, e, "relation", "limit=100")
		if len(all) != 7 {
			t.Fatalf("found %v, want all 7", all)
		}
		// Walk by Link, one per page: the same order as the whole.
		if walked, _ := e.walk("/posts?q=relation&limit=2"); !equalIDs(walked, all) {
			t.Errorf("walk %v, whole %v", walked, all)
		}
		if got, _ := found(t, e, "relation", fmt.Sprintf("user_id=%d", bob)); !equalIDs(got, []int64{posts[5], posts[3], posts[1]}) {
			t.Errorf("user_id: %v", got)
		}
		if got, _ := found(t, e, "relation", fmt.Sprintf("category_id=%d", cat), "sort=-id"); !equalIDs(got, []int64{posts[5], posts[3], posts[1]}) {
			t.Errorf("category_id, sort=-id: %v", got)
		}
		r := e.call("GET", "/posts?q=relation&include=author&limit=1&count=exact", nil, 200, nil)
		if !strings.Contains(string(r.body), `"snippet":"<mark>relation</mark>`) || !strings.Contains(string(r.body), `"author":{"id":`) {
			t.Errorf("include: %s", r.body)
		}
		if r.header.Get("X-Total-Count") != "7" {
			t.Errorf("X-Total-Count %q", r.header.Get("X-Total-Count"))
		}
	})
}

// Bad searches are a 422 at query.q (or query.sort) that says why.
func TestSearchErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e, _ := searchEnv(t, bk)
		for _, tc := range []struct{ query, location, message string }{
			{"q=", "query.q", "q is empty: give words to search for"},
			{"q=%20%20", "query.q", "q is empty: give words to search for"},
			{"q=---%20%22%22%20!!", "query.q", "q has no words to search for (letters or digits)"},
			{"q=-lazy", "query.q", "q only excludes words: give at least one word to find"},
			{"q=" + strings.Repeat("a+", 33), "query.q", "q has 33 words; at most 32"},
			{"q=" + strings.Repeat("x", 1001), "query.q", "expected length <= 1000"},
			{"sort=relevance", "query.sort", "sort=relevance orders a search: give q"},
		} {
			e.beyondSchema = tc.location != "query.q" || !strings.HasPrefix(tc.message, "expected length") // the search language is not JSON Schema's
			p := e.fail("GET", "/posts?"+tc.query, nil, http.StatusUnprocessableEntity, "")
			e.beyondSchema = false
			if len(p.Errors) != 1 || p.Errors[0].Location != tc.location || p.Errors[0].Message != tc.message {
				t.Errorf("%s: %+v, want %s: %s", tc.query, p.Errors, tc.location, tc.message)
			}
		}
	})
}

// Whatever q holds, the answer is a 200 or a 422, never a 500 (env.raw
// fails the test on any 5xx).
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"lazy", `"N+1`, "a OR OR b", "-", `-"`, "\x00", "東京 -タワー", "NOT AND NEAR(a b)", `col:word`, "*", "^a", "\u0301", "a\u0301", "e\xffx", strings.Repeat(`"`, 999)} {
		f.Add(q)
	}
	var envs []*env
	for _, bk := range testdb.Backends(f) {
		e, _ := searchEnv(f, bk)
		envs = append(envs, e)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, e := range envs {
			e.t = t
			e.beyondSchema = true // the search language is not JSON Schema's
			r := e.do("GET", "/posts?q="+url.QueryEscape(q), nil)
			if r.status != 200 && r.status != 422 {
				t.Errorf("q=%q: status %d %s", q, r.status, r.body)
			}
		}
	})
}
