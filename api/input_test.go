package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

// Bad input gets a clear 422 naming the field, in words a client
// understands, and changes nothing.
func TestBadInputIsAClear422(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		comment := e.comment(post, ada, 0)
		cat := e.category("go")
		for _, tc := range []struct {
			method, path, body string
			location, message  string // message: a part of it
		}{
			{"POST", "/posts", fmt.Sprintf(`{"title":"t","content":"c","user_id":%d.5}`, ada), "body.user_id", "expected integer"},
			{"POST", "/posts", `{"title":"t","content":"c","user_id":1e30}`, "body.user_id", "expected number <= 9007199254740991"},
			{"POST", "/posts", `{"title":"t","content":"c","user_id":99999999999999999999}`, "body.user_id", "expected number <="},
			{"POST", "/posts", `{"title":"t","content":"c","category_ids":[1e300]}`, "body.category_ids[0]", "expected number <="},
			{"POST", "/posts", `{"title":"   ","content":"c"}`, "body.title", "not blank"},
			{"POST", "/posts", "{\"title\":\"t\",\"content\":\"\\t\\n \"}", "body.content", "not blank"},
			{"POST", "/posts", `{"title":"a\u0000b","content":"c"}`, "body.title", "NUL"},
			{"PATCH", fmt.Sprintf("/posts/%d", post), `{"title":"  "}`, "body.title", "not blank"},
			{"POST", fmt.Sprintf("/posts/%d/comments", post), `{"content":" "}`, "body.content", "not blank"},
			{"POST", fmt.Sprintf("/posts/%d/comments", post), `{"content":"\u0000"}`, "body.content", "NUL"},
			{"PATCH", fmt.Sprintf("/comments/%d", comment), `{"content":"x\u0000"}`, "body.content", "NUL"},
			{"POST", "/categories", `{"name":"  "}`, "body.name", "not blank"},
			{"POST", "/categories", `{"name":"a\u0000"}`, "body.name", "NUL"},
			{"POST", "/categories", `{"name":"ok","description":"\u0000"}`, "body.description", "NUL"},
			{"PATCH", fmt.Sprintf("/categories/%d", cat), `{"name":"\n"}`, "body.name", "not blank"},
			{"POST", "/roles", `{"name":" "}`, "body.name", "not blank"},
			{"POST", fmt.Sprintf("/users/%d/profile", ada), `{"bio":"a\u0000"}`, "body.bio", "NUL"},
			{"POST", fmt.Sprintf("/users/%d/profile", ada), `{"location":"\u0000"}`, "body.location", "NUL"},
			{"POST", "/users", `{"username":"mallory","email":"Mallory <alice@example.com>","password":"12345678"}`, "body.email", "bare address"},
			{"POST", "/users", `{"username":"mallory","email":"<alice@example.com>","password":"12345678"}`, "body.email", "bare address"},
			{"PATCH", fmt.Sprintf("/users/%d", ada), `{"email":"Ada <ada@example.com>"}`, "body.email", "bare address"},
			{"GET", "/posts?skip=99999999999999999999", "", "query.skip", "out of range"},
			{"GET", "/posts/99999999999999999999", "", "path.id", "out of range"},
			{"GET", "/posts/abc", "", "path.id", "invalid integer"},
		} {
			name := tc.method + " " + tc.path + " " + tc.body
			var p problem
			if tc.body == "" {
				p = e.fail(tc.method, tc.path, nil, 422, "")
			} else {
				p = e.fail(tc.method, tc.path, tc.body, 422, "")
			}
			found := false
			for _, fe := range p.Errors {
				if fe.Location == tc.location && strings.Contains(fe.Message, tc.message) {
					found = true
				}
				if strings.Contains(fe.Message, "Go struct") || strings.Contains(fe.Message, "json:") {
					t.Errorf("%s: Go internals in %q", name, fe.Message)
				}
			}
			if !found {
				t.Errorf("%s: no %q at %s in %+v", name, tc.message, tc.location, p.Errors)
			}
		}
		// Nothing was written.
		if n := e.count("posts", ""); n != 1 {
			t.Errorf("%d posts", n)
		}
		if n := e.count("comments", ""); n != 1 {
			t.Errorf("%d comments", n)
		}
		if n := e.count("categories", ""); n != 1 {
			t.Errorf("%d categories", n)
		}
		if n := e.count("users", "username = 'mallory'"); n != 0 {
			t.Errorf("mallory created")
		}
		if n := e.count("profiles", ""); n != 0 {
			t.Errorf("%d profiles", n)
		}
		// An integer written as JSON Schema allows is read as that integer.
		var created struct {
			UserID int64 `json:"user_id"`
		}
		e.call("POST", "/posts", fmt.Sprintf(`{"title":"t","content":"c","user_id":%d.0}`, ada), 201, &created)
		if created.UserID != ada {
			t.Errorf("user_id %d.0 read as %d", ada, created.UserID)
		}
	})
}

// What no JSON Schema states: the body's encoding and keys given twice.
func TestBodyBeyondSchema(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		for _, body := range []string{
			"{\"title\":\"t\xff\xfe\",\"content\":\"c\"}",
			`{"title":"t","content":"c","title":"u"}`,
			`{"title":"t","content":"c","x":{"a":1,"a":2}}`,
		} {
			e.beyondSchema = true
			r := e.raw("POST", "/posts", "application/json", []byte(body))
			e.beyondSchema = false
			if r.status != 422 || !strings.Contains(string(r.body), "body") {
				t.Errorf("%q: %d %s", body, r.status, r.body)
			}
		}
		if n := e.count("posts", ""); n != 0 {
			t.Errorf("%d posts", n)
		}
	})
}

// An error never repeats a secret, nor more than a little of the body.
func TestErrorsEchoNoSecrets(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		const secret = "my very secret password"
		for _, body := range []string{
			`{"username":"ada","email":"ada@example.com","password":"` + secret + `","admin":true}`,
			`{"username":"ada","email":"ada@example.com","password":"` + secret + `",`,
			`{"username":"ada","email":"not an email","password":"` + secret + `"}`,
		} {
			r := e.as("").do("POST", "/users", body)
			if r.status != 422 || strings.Contains(string(r.body), secret) {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
		r := e.do("PATCH", fmt.Sprintf("/users/%d", e.adminID), `{"password":"x","current_password":"`+secret+`"}`)
		if r.status != 422 || strings.Contains(string(r.body), secret) {
			t.Errorf("short password: %d %s", r.status, r.body)
		}
		// A large body with an unknown field gets a small error.
		big := `{"title":"t","content":"` + strings.Repeat("x", 900_000) + `","junk":"` + strings.Repeat("y", 50_000) + `"}`
		r = e.do("POST", "/posts", big)
		if r.status != 422 || len(r.body) > 2000 {
			t.Errorf("big body: %d, %d bytes of error", r.status, len(r.body))
		}
		r = e.do("POST", "/posts", `{"title":"`+strings.Repeat("t", 5000)+`","content":"c"}`)
		if r.status != 422 || len(r.body) > 1000 {
			t.Errorf("long title: %d, %d bytes of error: %s", r.status, len(r.body), r.body)
		}
	})
}

// A body that is not JSON gets a 415 that says so.
func TestUnsupportedMediaTypeSaysWhy(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	r := e.raw("POST", "/posts", "text/plain", []byte(`{"title":"t","content":"c"}`))
	if r.status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.body), "application/json") ||
		strings.Contains(string(r.body), "validation failed") {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// One rule for unknown ids: in a path (a resource) 404, in a query (a
// filter) an empty list.
func TestUnknownIDsInPathsAndFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		e.post(ada)
		for _, path := range []string{"/posts?user_id=999999", "/posts?category_id=999999",
			"/posts?user_id=999999&category_id=999999", "/users?category_id=999999", "/users?role_id=999999",
			"/users?category_id=999999&role_id=999999"} {
			r := e.call("GET", path, nil, 200, nil)
			if string(r.body) != "[]\n" && string(r.body) != "[]" {
				t.Errorf("%s: %s", path, r.body)
			}
		}
		for path, detail := range map[string]string{
			"/users/999999/posts": "User not found", "/users/999999/roles": "User not found",
			"/categories/999999/posts": "Category not found", "/roles/999999/users": "Role not found",
			"/posts/999999/comments": "Post not found", "/posts/999999/categories": "Post not found",
			"/posts/999999/comments/tree": "Post not found", "/comments/999999/replies": "Comment not found",
			"/users/999999/profile": "User not found",
		} {
			e.fail("GET", path, nil, 404, detail)
		}
		// The document states the rule, for each filter.
		doc := string(e.call("GET", "/openapi.json", nil, 200, nil).body)
		for _, want := range []string{"an unknown user gives []", "an unknown category gives []", "an unknown role gives []",
			"an unknown one matches nothing"} {
			if !strings.Contains(doc, want) {
				t.Errorf("the document does not say %q", want)
			}
		}
	})
}
