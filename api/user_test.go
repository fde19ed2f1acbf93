package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/blogd/blogd"
)

func TestUserCRUD(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		var u blogd.User
		r := e.call("POST", "/users", map[string]any{"username": "ada", "email": "ada@example.com", "password": testPassword}, 201, &u)
		if u.ID == 0 || u.Username != "ada" || u.Email != "ada@example.com" {
			t.Fatalf("created %+v", u)
		}
		if loc := r.header.Get("Location"); loc != fmt.Sprintf("/users/%d", u.ID) {
			t.Errorf("Location %q", loc)
		}
		if time.Since(u.CreatedAt) > time.Minute || u.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at %v", u.CreatedAt)
		}
		if !strings.Contains(string(r.body), `"created_at":"`) || !strings.Contains(string(r.body), `Z"`) {
			t.Errorf("created_at not RFC 3339 UTC: %s", r.body)
		}

		var got blogd.User
		e.call("GET", fmt.Sprintf("/users/%d", u.ID), nil, 200, &got)
		if got != u {
			t.Errorf("get %+v, want %+v", got, u)
		}

		var patched blogd.User
		e.call("PATCH", fmt.Sprintf("/users/%d", u.ID), map[string]any{"email": "ada@example.org"}, 200, &patched)
		if patched.Email != "ada@example.org" || patched.Username != "ada" {
			t.Errorf("patched %+v", patched)
		}
		e.call("PATCH", fmt.Sprintf("/users/%d", u.ID), map[string]any{}, 200, &patched)
		if patched.Email != "ada@example.org" {
			t.Errorf("empty patch changed %+v", patched)
		}

		e.call("DELETE", fmt.Sprintf("/users/%d", u.ID), nil, 204, nil)
		e.fail("GET", fmt.Sprintf("/users/%d", u.ID), nil, 404, "User not found")
		e.fail("DELETE", fmt.Sprintf("/users/%d", u.ID), nil, 404, "User not found")
		e.fail("PATCH", fmt.Sprintf("/users/%d", u.ID), map[string]any{"username": "x"}, 404, "User not found")

		// A deleted user's id is never handed out again.
		if id := e.user("bob"); id == u.ID {
			t.Errorf("id %d reused", id)
		}
	})
}

func TestUserConflicts(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		e.user("ada")
		bob := e.user("bob")
		e.fail("POST", "/users", map[string]any{"username": "ada", "email": "other@example.com", "password": testPassword}, 409, "username already taken")
		e.fail("POST", "/users", map[string]any{"username": "other", "email": "ada@example.com", "password": testPassword}, 409, "email already taken")
		e.fail("PATCH", fmt.Sprintf("/users/%d", bob), map[string]any{"username": "ada"}, 409, "username already taken")
		if n := e.count("users", ""); n != 3 { // with the env's admin
			t.Errorf("%d users after conflicts, want 2", n)
		}
	})
}

func TestUserValidation(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		id := e.user("ada")
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			fields []string // every location the problem must list
		}{
			{"missing fields", "POST", "/users", `{}`, []string{"body.username", "body.email"}},
			{"empty and bad", "POST", "/users", `{"username":"","email":"nope"}`, []string{"body.username", "body.email"}},
			{"wrong type", "POST", "/users", `{"username":5,"email":"a@example.com"}`, []string{"body.username"}},
			{"unknown field", "POST", "/users", `{"username":"x","email":"x@example.com","admin":true}`, []string{"body.admin"}},
			{"malformed json", "POST", "/users", `{"username":`, []string{"body"}},
			{"not an object", "POST", "/users", `[1,2]`, []string{"body"}},
			{"null in patch", "PATCH", fmt.Sprintf("/users/%d", id), `{"username":null,"email":null}`, []string{"body.username", "body.email"}},
			{"empty in patch", "PATCH", fmt.Sprintf("/users/%d", id), `{"username":""}`, []string{"body.username"}},
			{"bad limit", "GET", "/users?limit=0", nil, []string{"query.limit"}},
			{"limit too big", "GET", "/users?limit=1001", nil, []string{"query.limit"}},
			{"negative skip", "GET", "/users?skip=-1", nil, []string{"query.skip"}},
			{"limit not a number", "GET", "/users?limit=ten", nil, []string{"query.limit"}},
			{"bad filter", "GET", "/users?category_id=x", nil, []string{"query.category_id"}},
			{"bad path id", "GET", "/users/abc", nil, []string{"path.id"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := e.fail(c.method, c.path, c.body, 422, "")
				for _, f := range c.fields {
					found := false
					for _, d := range p.Errors {
						found = found || d.Location == f
					}
					if !found {
						t.Errorf("errors %+v lack %s", p.Errors, f)
					}
				}
			})
		}
		if n := e.count("users", ""); n != 2 { // with the env's admin
			t.Errorf("%d users after bad input, want 1", n)
		}
		var u blogd.User
		e.call("GET", fmt.Sprintf("/users/%d", id), nil, 200, &u)
		if u.Username != "ada" || u.Email != "ada@example.com" {
			t.Errorf("bad input changed the user: %+v", u)
		}
	})
}

func TestRequestShape(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		// 415: a body that is not JSON.
		r := e.raw("POST", "/users", "text/plain", []byte("username=ada"))
		if r.status != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain body: %d %s", r.status, r.body)
		}
		// 413: a body over 1 MiB.
		big := `{"username":"ada","email":"ada@example.com","x":"` + strings.Repeat("a", 2<<20) + `"}`
		r = e.raw("POST", "/users", "application/json", []byte(big))
		if r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB body: %d %.200s", r.status, r.body)
		}
		// 422: no body at all.
		e.fail("POST", "/users", nil, 422, "")
		// 405 with Allow, in problem+json.
		p := e.fail("PUT", "/users/1", `{}`, 405, "")
		_ = p
		r = e.raw("PUT", "/users/1", "application/json", []byte(`{}`))
		if allow := r.header.Get("Allow"); !strings.Contains(allow, "PATCH") {
			t.Errorf("Allow %q", allow)
		}
		// 404 for a route that does not exist.
		e.fail("GET", "/nowhere", nil, 404, "")
		if n := e.count("users", ""); n != 1 { // the env's admin
			t.Errorf("%d users after rejected requests", n)
		}
	})
}

func TestUserListAndFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		var users []int64
		for i := range 5 {
			users = append(users, e.user(fmt.Sprintf("u%d", i)))
		}
		r := e.call("GET", "/users?skip=2&limit=2", nil, 200, nil) // after the env's admin
		if got := ids(t, r.body); !equalIDs(got, users[1:3]) {
			t.Errorf("page %v, want %v", got, users[1:3])
		}
		r = e.call("GET", "/users?skip=10", nil, 200, nil)
		if string(r.body) != "[]\n" && string(r.body) != "[]" {
			t.Errorf("past the end: %s", r.body)
		}

		// users_by_category: an explicit join, each user once.
		cat := e.category("go")
		other := e.category("rust")
		e.post(users[0], cat)
		e.post(users[0], cat, other) // a second post in the category: still once
		e.post(users[2], cat)
		e.post(users[3], other)
		r = e.call("GET", fmt.Sprintf("/users?category_id=%d", cat), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{users[0], users[2]}) {
			t.Errorf("by category %v", got)
		}
		r = e.call("GET", "/users?category_id=999999", nil, 200, nil)
		if got := ids(t, r.body); len(got) != 0 {
			t.Errorf("unknown category gave %v", got)
		}

		role := e.role("editor")
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", users[2], role), nil, 200, nil)
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", users[4], role), nil, 200, nil)
		r = e.call("GET", fmt.Sprintf("/users?role_id=%d", role), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{users[2], users[4]}) {
			t.Errorf("by role %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/users?role_id=%d&category_id=%d", role, cat), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{users[2]}) {
			t.Errorf("by role and category %v", got)
		}
	})
}

func TestUserPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		p1, p2 := e.post(ada), e.post(ada)
		e.post(bob)
		r := e.call("GET", fmt.Sprintf("/users/%d/posts", ada), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{p1, p2}) {
			t.Errorf("ada's posts %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/users/%d/posts?skip=1&limit=1", ada), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{p2}) {
			t.Errorf("page %v", got)
		}
		carol := e.user("carol")
		r = e.call("GET", fmt.Sprintf("/users/%d/posts", carol), nil, 200, nil)
		if got := ids(t, r.body); len(got) != 0 {
			t.Errorf("carol's posts %v", got)
		}
		e.fail("GET", "/users/999999/posts", nil, 404, "User not found")
	})
}

func TestHealth(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		for _, path := range []string{"/healthz", "/readyz"} {
			var body struct{ Status string }
			e.call("GET", path, nil, 200, &body)
			if body.Status != "ok" {
				t.Errorf("%s: %+v", path, body)
			}
		}
		// readyz asks the database: with the store closed it must say 503.
		e.store.Close()
		e.logs.Reset()
		r := e.raw("GET", "/readyz", "", nil)
		if r.status != http.StatusServiceUnavailable {
			t.Errorf("readyz on a closed database: %d", r.status)
		}
		e.logs.Reset() // the failed check is logged, as it should be
	})
}
