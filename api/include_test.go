package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

// embeddedIDs reads field of a JSON object: the ids of a list, the id of an
// object, or nothing for null; present reports whether the field is there.
func embeddedIDs(t testing.TB, obj map[string]json.RawMessage, field string) (got []int64, present bool) {
	t.Helper()
	raw, ok := obj[field]
	if !ok {
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	if strings.HasPrefix(string(raw), "[") {
		return ids(t, raw), true
	}
	var one struct {
		ID int64 `json:"id"`
	}
	decode(t, raw, &one)
	return []int64{one.ID}, true
}

// Every relation of the graph at depth 1, on a single read: the field is
// there, holds the parent's rows by id, and a list has its _next.
func TestIncludeEveryRelation(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		e.call("POST", fmt.Sprintf("/users/%d/profile", ada), map[string]any{"bio": "b"}, 201, nil)
		var profile struct {
			ID int64 `json:"id"`
		}
		e.call("GET", fmt.Sprintf("/users/%d/profile", ada), nil, 200, &profile)
		r1, r2 := e.role("editor"), e.role("writer")
		for _, r := range []int64{r1, r2} {
			e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, r), nil, 200, nil)
		}
		c1, c2 := e.category("go"), e.category("sql")
		p1, p2 := e.post(ada, c2, c1), e.post(ada)
		top := e.comment(p1, bob, 0)
		reply := e.comment(p1, ada, top)
		for _, tc := range []struct {
			path, rel string
			want      []int64
		}{
			{fmt.Sprintf("/users/%d", ada), "profile", []int64{profile.ID}},
			{fmt.Sprintf("/users/%d", bob), "profile", nil},
			{fmt.Sprintf("/users/%d", ada), "posts", []int64{p1, p2}},
			{fmt.Sprintf("/users/%d", ada), "comments", []int64{reply}},
			{fmt.Sprintf("/users/%d", ada), "roles", []int64{r1, r2}},
			{fmt.Sprintf("/posts/%d", p1), "author", []int64{ada}},
			{fmt.Sprintf("/posts/%d", p1), "categories", []int64{c1, c2}},
			{fmt.Sprintf("/posts/%d", p1), "comments", []int64{top, reply}},
			{fmt.Sprintf("/comments/%d", reply), "author", []int64{ada}},
			{fmt.Sprintf("/comments/%d", reply), "post", []int64{p1}},
			{fmt.Sprintf("/comments/%d", reply), "parent", []int64{top}},
			{fmt.Sprintf("/comments/%d", top), "parent", nil},
			{fmt.Sprintf("/comments/%d", top), "replies", []int64{reply}},
			{fmt.Sprintf("/categories/%d", c1), "posts", []int64{p1}},
			{fmt.Sprintf("/roles/%d", r1), "users", []int64{ada}},
		} {
			var obj map[string]json.RawMessage
			e.call("GET", tc.path+"?include="+tc.rel, nil, 200, &obj)
			got, present := embeddedIDs(t, obj, tc.rel)
			if !present || !slices.Equal(got, tc.want) {
				t.Errorf("%s include=%s: %v (present %v), want %v", tc.path, tc.rel, got, present, tc.want)
			}
			if _, many := obj[tc.rel+"_next"]; many != strings.HasPrefix(string(obj[tc.rel]), "[") {
				t.Errorf("%s include=%s: _next present=%v for %s", tc.path, tc.rel, many, obj[tc.rel])
			}
			if string(obj[tc.rel+"_next"]) != "" && string(obj[tc.rel+"_next"]) != "null" {
				t.Errorf("%s include=%s: _next %s on a complete list", tc.path, tc.rel, obj[tc.rel+"_next"])
			}
		}
		// In a list, each row embeds what it embeds when read alone.
		e.comment(p2, bob, 0)
		var list []map[string]json.RawMessage
		e.call("GET", fmt.Sprintf("/posts?user_id=%d&include=author,categories,comments", ada), nil, 200, &list)
		if len(list) != 2 {
			t.Fatalf("%d posts of ada", len(list))
		}
		for _, item := range list {
			var id int64
			decode(t, item["id"], &id)
			var alone map[string]json.RawMessage
			e.call("GET", fmt.Sprintf("/posts/%d?include=author,categories,comments", id), nil, 200, &alone)
			for _, rel := range []string{"author", "categories", "comments"} {
				got, _ := embeddedIDs(t, item, rel)
				want, _ := embeddedIDs(t, alone, rel)
				if !slices.Equal(got, want) {
					t.Errorf("post %d in a list embeds %s %v; read alone, %v", id, rel, got, want)
				}
			}
		}
		// A post read with an include shows exactly what it names, not its
		// defaults; without one, its defaults.
		var obj map[string]json.RawMessage
		e.call("GET", fmt.Sprintf("/posts/%d?include=comments", p1), nil, 200, &obj)
		if _, ok := obj["author"]; ok {
			t.Errorf("include=comments kept the default author")
		}
		e.call("GET", fmt.Sprintf("/posts/%d", p1), nil, 200, &obj)
		if _, ok := obj["author"]; !ok {
			t.Errorf("a post read without include lost its author")
		}
		// Deeper paths: comments of a post with their authors' profiles.
		e.call("GET", fmt.Sprintf("/posts/%d?include=comments.author.profile,author", p1), nil, 200, &obj)
		var cms []map[string]json.RawMessage
		decode(t, obj["comments"], &cms)
		if len(cms) != 2 {
			t.Fatalf("comments %s", obj["comments"])
		}
		var author map[string]json.RawMessage
		decode(t, cms[1]["author"], &author)
		if got, _ := embeddedIDs(t, author, "profile"); !slices.Equal(got, []int64{profile.ID}) {
			t.Errorf("comments.author.profile: %s", cms[1]["author"])
		}
		// Comments by one author share its row, read once: what is embedded
		// in it is there once too.
		e.comment(p1, ada, 0)
		e.call("GET", fmt.Sprintf("/posts/%d?include=comments.author.profile", p1), nil, 200, &obj)
		decode(t, obj["comments"], &cms)
		if len(cms) != 3 {
			t.Fatalf("comments %s", obj["comments"])
		}
		for _, c := range cms[1:] {
			if n := strings.Count(string(c["author"]), `"profile":`); n != 1 {
				t.Errorf("an author shared by two comments embeds its profile %d times: %s", n, c["author"])
			}
		}
	})
}

// What an include costs: one statement for the resources and one per
// relation it embeds, the same for a small and a large dataset. On SQLite
// a relation whose rows are kept at the tables' versions that the read's
// first relation statement read costs none, so there it is at most that.
func TestIncludeCostIsBounded(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		build := func(e *env, n int) (user int64) {
			cat := e.category("go")
			for i := range n {
				u := e.user(fmt.Sprintf("u%d", i))
				e.call("POST", fmt.Sprintf("/users/%d/profile", u), map[string]any{"bio": "b"}, 201, nil)
				p := e.post(u, cat)
				for range n {
					e.comment(p, u, 0)
				}
				user = u
			}
			return user
		}
		small, large := newEnv(t, bk), newEnv(t, bk)
		su, lu := build(small, 2), build(large, 12)
		for _, tc := range []struct {
			path string
			want int64
			user bool
		}{
			{"/posts?limit=20&include=author,categories,comments.author", 5, false},
			{"/users/%d?include=profile,roles,posts.categories", 5, true},
			{"/comments?include=post.author.profile", 4, false},
			{"/users?include=posts.comments.author,profile", 5, false},
		} {
			sp, lp := tc.path, tc.path
			if tc.user {
				sp, lp = fmt.Sprintf(tc.path, su), fmt.Sprintf(tc.path, lu)
			}
			a, b := small.as("").statements(sp, nil), large.as("").statements(lp, nil)
			if a != b || a > tc.want || (bk.Name != "sqlite" && a != tc.want) || a < 2 {
				t.Errorf("%s: %d statements on the small dataset, %d on the large, want %d", tc.path, a, b, tc.want)
			}
		}
	})
}

// A read whose embedded rows are kept shows every write made since, and
// costs, on SQLite, the statement of its resources and one that checks the
// tables' versions.
func TestIncludeKeptRowsShowWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		cat := e.category("go")
		p := e.post(ada, cat)
		e.comment(p, bob, 0)
		const path = "/posts?include=author,categories,comments.author"
		read := func() (body string, statements int64) {
			var got json.RawMessage
			n := e.statements(path, &got)
			return string(got), n
		}
		first, cold := read()
		again, warm := read()
		if again != first {
			t.Fatalf("read again:\n%s\nfirst:\n%s", again, first)
		}
		want := cold // PostgreSQL keeps no rows
		if bk.Name == "sqlite" {
			want = 2 // the posts, and the versions of the tables
		}
		if warm != want {
			t.Errorf("read again: %d statements, want %d", warm, want)
		}
		for _, w := range []struct {
			method, path string
			status       int
			body, want   string
		}{
			{"PATCH", fmt.Sprintf("/users/%d", bob), 200, `{"username":"robert"}`, `"username":"robert"`},
			{"POST", "/comments", 201, fmt.Sprintf(`{"content":"second","post_id":%d,"user_id":%d}`, p, ada), `"content":"second"`},
			{"PATCH", fmt.Sprintf("/categories/%d", cat), 200, `{"name":"golang"}`, `"name":"golang"`},
		} {
			e.call(w.method, w.path, w.body, w.status, nil)
			if got, _ := read(); !strings.Contains(got, w.want) {
				t.Errorf("after %s %s, the read has no %s: %s", w.method, w.path, w.want, got)
			}
		}
	})
}

// A list embedded longer than include_limit stops there, and its _next
// continues it by cursor to the end.
func TestIncludeLimitAndNext(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		var posts []int64
		for range 23 {
			posts = append(posts, e.post(ada))
		}
		var obj map[string]json.RawMessage
		e.call("GET", fmt.Sprintf("/users/%d?include=posts&include_limit=10", ada), nil, 200, &obj)
		got := ids(t, obj["posts"])
		var next string
		decode(t, obj["posts_next"], &next)
		if !slices.Equal(got, posts[:10]) || next == "" {
			t.Fatalf("posts %v, next %q", got, next)
		}
		rest, _ := e.walk(next)
		if all := append(got, rest...); !slices.Equal(all, posts) {
			t.Errorf("walked %v, want %v", all, posts)
		}
		// The same on every parent of a list.
		e.call("GET", "/users?include=posts&include_limit=1", nil, 200, nil)
	})
}

// Every bad include is a 422 at query.include that says why, never a 500.
func TestIncludeErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		for _, tc := range []struct{ path, message string }{
			{"/posts?include=nope", `post has no relation "nope"; it has author, categories, comments`},
			{fmt.Sprintf("/posts/%d?include=author.nope", post), `user has no relation "nope"; it has profile, posts, comments, roles`},
			{"/users?include=posts.author.posts.author", "at most 3"},
			{"/users?include=profile,posts,roles,comments,posts,profile,roles,comments,posts", "at most 8 paths"},
			{"/users?include=,", `has no relation ""`},
			{"/users?include=profile.x", `profile has no relation "x": it has none to embed`},
		} {
			e.beyondSchema = true // which paths a resource has is the graph's, not the schema's
			p := e.fail("GET", tc.path, nil, http.StatusUnprocessableEntity, "")
			e.beyondSchema = false
			if len(p.Errors) != 1 || p.Errors[0].Location != "query.include" || !strings.Contains(p.Errors[0].Message, tc.message) {
				t.Errorf("%s: %+v", tc.path, p.Errors)
			}
		}
		for _, path := range []string{"/posts?include=author&include_limit=0", "/posts?include=author&include_limit=101"} {
			p := e.fail("GET", path, nil, http.StatusUnprocessableEntity, "")
			if len(p.Errors) == 0 || p.Errors[0].Location != "query.include_limit" {
				t.Errorf("%s: %+v", path, p.Errors)
			}
		}
	})
}

// A user's email inside an embed shows exactly as at the top level: to the
// user and to admins.
func TestIncludeKeepsEmailsPrivate(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) { includeKeepsEmailsPrivate(t, newEnv(t, bk)) })
}

func includeKeepsEmailsPrivate(t *testing.T, e *env) {
	ada := e.user("ada")
	post := e.post(ada)
	adaTok := e.signIn("ada", testPassword)
	e.user("bob")
	bobTok := e.signIn("bob", testPassword)
	// Those who may not see it read before and after those who may: on
	// SQLite the second read of each comes from the rows kept, written
	// once with the email, and cut for whoever may not see it.
	for _, tc := range []struct {
		token string
		shown bool
	}{{"", false}, {bobTok, false}, {adaTok, true}, {e.token, true}, {"", false}, {bobTok, false}} {
		var obj map[string]json.RawMessage
		e.as(tc.token).call("GET", fmt.Sprintf("/posts/%d?include=author", post), nil, 200, &obj)
		if strings.Contains(string(obj["author"]), "email") != tc.shown {
			t.Errorf("email shown=%v to %q: %s", !tc.shown, tc.token, obj["author"])
		}
		// The embedded author is the user as this caller reads them.
		var author, alone map[string]any
		decode(t, obj["author"], &author)
		e.as(tc.token).call("GET", fmt.Sprintf("/users/%d", ada), nil, 200, &alone)
		if !reflect.DeepEqual(author, alone) {
			t.Errorf("author embedded for %q: %v, read alone: %v", tc.token, author, alone)
		}
		// Two levels down too.
		e.as(tc.token).call("GET", fmt.Sprintf("/users/%d?include=posts.author", ada), nil, 200, &obj)
		if strings.Contains(string(obj["posts"]), "email") != tc.shown {
			t.Errorf("posts.author: email shown=%v to %q: %s", !tc.shown, tc.token, obj["posts"])
		}
	}
}

// FuzzInclude: whatever include holds, the answer is never a 5xx.
func FuzzInclude(f *testing.F) {
	e := newEnv(f, testdb.SQLite)
	post := e.post(e.user("ada"))
	for _, s := range []string{"author", "comments.author.profile", "a.b.c.d", ",,,", "author,author", "\x00", "posts.." + strings.Repeat("x", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, include string) {
		for _, path := range []string{"/posts", fmt.Sprintf("/posts/%d", post), "/users"} {
			resp, err := e.srv.Client().Get(e.srv.URL + path + "?include=" + url.QueryEscape(include))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s include=%q: %d %s", path, include, resp.StatusCode, body)
			}
		}
	})
}
