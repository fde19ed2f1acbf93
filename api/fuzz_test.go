package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

// Fuzz targets for the decoding and validation of every create and update
// body. Whatever the body, the answer is never a 5xx, and a rejected body
// changes nothing. The seed corpus in testdata/fuzz is replayed by every
// go test; run one for longer with, e.g.,
//
//	go test ./api -run '^$' -fuzz '^FuzzCreatePost$' -fuzztime 60s

// fuzzBody fuzzes the body of one route. setup creates what the route needs
// and returns its path; table is the table a rejected body must leave as it
// was.
func fuzzBody(f *testing.F, method, table string, setup func(e *env) string, seeds ...string) {
	e := newEnv(f, testdb.SQLite)
	path := setup(e)
	for _, s := range append(seeds, ``, `{}`, `null`, `[]`, `{"`, `{"a":1}`, "\x00", `{"id":1e400}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := dumpTable(t, e, table)
		req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, resp.StatusCode, answer)
		}
		if resp.StatusCode >= 400 {
			if after := dumpTable(t, e, table); after != before {
				t.Fatalf("%s %s %q was rejected (%d) but changed %s", method, path, body, resp.StatusCode, table)
			}
		}
	})
}

// dumpTable returns a table's rows as text.
func dumpTable(t *testing.T, e *env, table string) string {
	rows, err := e.store.ReadDB().Query("SELECT * FROM " + table + " ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b bytes.Buffer
	for rows.Next() {
		rows.Scan(ptrs...)
		fmt.Fprintln(&b, vals...)
	}
	return b.String()
}

func usersPath(*env) string { return "/users" }

func FuzzCreateUser(f *testing.F) {
	fuzzBody(f, "POST", "users", usersPath,
		`{"username":"ada","email":"ada@example.com","password":"12345678"}`, `{"username":"","email":"x"}`,
		`{"username":"a b","email":"a@b.c","x":1}`, `{"username":null,"email":5}`)
}

func FuzzUpdateUser(f *testing.F) {
	fuzzBody(f, "PATCH", "users", func(e *env) string { return fmt.Sprintf("/users/%d", e.user("ada")) },
		`{"username":"bob"}`, `{"email":"ada@example.org"}`, `{"username":null}`, `{"email":""}`)
}

func FuzzCreateProfile(f *testing.F) {
	fuzzBody(f, "POST", "profiles", func(e *env) string { return fmt.Sprintf("/users/%d/profile", e.user("ada")) },
		`{"bio":"x","location":"y"}`, `{"bio":7}`, `{"location":null}`)
}

func FuzzUpdateProfile(f *testing.F) {
	fuzzBody(f, "PATCH", "profiles", func(e *env) string {
		id := e.user("ada")
		e.call("POST", fmt.Sprintf("/users/%d/profile", id), map[string]any{}, 201, nil)
		return fmt.Sprintf("/users/%d/profile", id)
	}, `{"bio":"x"}`, `{"bio":null}`, `{"location":[]}`)
}

func FuzzCreatePost(f *testing.F) {
	fuzzBody(f, "POST", "posts", func(e *env) string { e.user("ada"); e.category("go"); return "/posts" },
		`{"title":"t","content":"c","user_id":1,"category_ids":[1,1]}`, `{"title":"t","content":"c","user_id":1e30}`,
		`{"title":"t","content":"c","user_id":2}`, `{"title":"t","content":"c","user_id":1,"category_ids":[9]}`,
		`{"title":"t","content":"c","user_id":-1,"category_ids":"1"}`)
}

func FuzzUpdatePost(f *testing.F) {
	fuzzBody(f, "PATCH", "post_categories", func(e *env) string {
		return fmt.Sprintf("/posts/%d", e.post(e.user("ada"), e.category("go")))
	}, `{"title":"x"}`, `{"category_ids":[]}`, `{"category_ids":[1,99]}`, `{"category_ids":null}`, `{"content":""}`)
}

func FuzzCreateCategory(f *testing.F) {
	fuzzBody(f, "POST", "categories", func(e *env) string { return "/categories" },
		`{"name":"go","description":"d"}`, `{"name":""}`, `{"description":"no name"}`)
}

func FuzzUpdateCategory(f *testing.F) {
	fuzzBody(f, "PATCH", "categories", func(e *env) string { return fmt.Sprintf("/categories/%d", e.category("go")) },
		`{"name":"sql"}`, `{"name":null}`, `{"description":1}`)
}

func FuzzCreateRole(f *testing.F) {
	fuzzBody(f, "POST", "roles", func(e *env) string { return "/roles" },
		`{"name":"editor","description":"d"}`, `{"name":""}`)
}

func FuzzUpdateRole(f *testing.F) {
	fuzzBody(f, "PATCH", "roles", func(e *env) string { return fmt.Sprintf("/roles/%d", e.role("reviewer")) },
		`{"name":"mod"}`, `{"name":null}`)
}

func FuzzCreateComment(f *testing.F) {
	fuzzBody(f, "POST", "comments", func(e *env) string {
		p := e.post(e.user("ada"))
		e.comment(p, 1, 0)
		return "/comments"
	}, `{"content":"c","post_id":1,"user_id":1}`, `{"content":"c","post_id":1,"user_id":1,"parent_id":1}`,
		`{"content":"c","post_id":2,"user_id":1,"parent_id":1}`, `{"content":"","post_id":0}`)
}

func FuzzCreatePostComment(f *testing.F) {
	fuzzBody(f, "POST", "comments", func(e *env) string {
		p := e.post(e.user("ada"))
		e.comment(p, 1, 0)
		return fmt.Sprintf("/posts/%d/comments", p)
	}, `{"content":"c","user_id":1}`, `{"content":"c","user_id":1,"parent_id":1}`, `{"content":"c","user_id":1,"parent_id":99}`)
}

func FuzzUpdateComment(f *testing.F) {
	fuzzBody(f, "PATCH", "comments", func(e *env) string {
		return fmt.Sprintf("/comments/%d", e.comment(e.post(e.user("ada")), 1, 0))
	}, `{"content":"x"}`, `{"content":null}`, `{"content":""}`)
}
