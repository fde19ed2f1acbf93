package api_test

import (
	"fmt"
	"testing"

	"github.com/blogd/blogd"
)

// Categories and roles share their shape and their rules.
func TestCategoriesAndRoles(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		for _, kind := range []string{"categories", "roles"} {
			t.Run(kind, func(t *testing.T) {
				e := newEnv(t, bk)
				pre := e.count(kind, "") // the env's admin role, for roles
				var c blogd.Category
				r := e.call("POST", "/"+kind, map[string]any{"name": "go", "description": "Gophers"}, 201, &c)
				if c.ID == 0 || c.Name != "go" || c.Description != "Gophers" {
					t.Errorf("created %+v", c)
				}
				if r.header.Get("Location") != fmt.Sprintf("/%s/%d", kind, c.ID) {
					t.Errorf("Location %q", r.header.Get("Location"))
				}
				var other blogd.Category
				e.call("POST", "/"+kind, map[string]any{"name": "sql"}, 201, &other)
				if other.Description != "" {
					t.Errorf("default description %q", other.Description)
				}
				p := e.fail("POST", "/"+kind, map[string]any{"name": "go"}, 409, "")
				if p.Detail == "" {
					t.Errorf("409 without detail")
				}
				e.fail("PATCH", fmt.Sprintf("/%s/%d", kind, other.ID), map[string]any{"name": "go"}, 409, "")
				e.fail("POST", "/"+kind, map[string]any{"name": ""}, 422, "")
				e.fail("POST", "/"+kind, map[string]any{"description": "no name"}, 422, "")

				var got blogd.Category
				e.call("GET", fmt.Sprintf("/%s/%d", kind, c.ID), nil, 200, &got)
				if got != c {
					t.Errorf("get %+v", got)
				}
				e.call("PATCH", fmt.Sprintf("/%s/%d", kind, c.ID), map[string]any{"description": "Go"}, 200, &got)
				if got.Name != "go" || got.Description != "Go" {
					t.Errorf("patched %+v", got)
				}
				r = e.call("GET", fmt.Sprintf("/%s?skip=%d", kind, pre+1), nil, 200, nil)
				if got := ids(t, r.body); !equalIDs(got, []int64{other.ID}) {
					t.Errorf("list %v", got)
				}
				e.call("DELETE", fmt.Sprintf("/%s/%d", kind, c.ID), nil, 204, nil)
				e.fail("GET", fmt.Sprintf("/%s/%d", kind, c.ID), nil, 404, "")
				e.fail("DELETE", fmt.Sprintf("/%s/%d", kind, c.ID), nil, 404, "")
				if n := e.count(kind, ""); n != pre+1 {
					t.Errorf("%d rows", n)
				}
			})
		}
	})
}

func TestCategoryPosts(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		golang, sql, empty := e.category("go"), e.category("sql"), e.category("empty")
		p1 := e.post(ada, golang)
		e.post(ada, sql)
		p3 := e.post(ada, sql, golang)
		r := e.call("GET", fmt.Sprintf("/categories/%d/posts", golang), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{p1, p3}) {
			t.Errorf("posts %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/categories/%d/posts?limit=1&skip=1", golang), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{p3}) {
			t.Errorf("page %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/categories/%d/posts", empty), nil, 200, nil)
		if got := ids(t, r.body); len(got) != 0 {
			t.Errorf("empty category %v", got)
		}
		e.fail("GET", "/categories/999999/posts", nil, 404, "Category not found")
	})
}

func TestUserRoles(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada, bob := e.user("ada"), e.user("bob")
		admin, editor := e.role("reviewer"), e.role("editor")

		var roles []blogd.Role
		for range 2 { // idempotent
			e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, editor), nil, 200, &roles)
			if len(roles) != 1 || roles[0].ID != editor {
				t.Errorf("roles %+v", roles)
			}
		}
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, admin), nil, 200, &roles)
		if len(roles) != 2 || roles[0].ID != admin || roles[1].ID != editor {
			t.Errorf("roles %+v", roles)
		}
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", bob, editor), nil, 200, nil)
		if n := e.count("user_roles", "user_id <> ?", e.adminID); n != 3 {
			t.Errorf("%d links", n)
		}
		e.fail("POST", fmt.Sprintf("/users/999999/roles/%d", admin), nil, 404, "User not found")
		e.fail("POST", fmt.Sprintf("/users/%d/roles/999999", ada), nil, 404, "Role not found")

		r := e.call("GET", fmt.Sprintf("/users/%d/roles?limit=1", ada), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{admin}) {
			t.Errorf("ada's roles %v", got)
		}
		r = e.call("GET", fmt.Sprintf("/roles/%d/users", editor), nil, 200, nil)
		if got := ids(t, r.body); !equalIDs(got, []int64{ada, bob}) {
			t.Errorf("editors %v", got)
		}
		e.fail("GET", "/users/999999/roles", nil, 404, "User not found")
		e.fail("GET", "/roles/999999/users", nil, 404, "Role not found")

		e.call("DELETE", fmt.Sprintf("/users/%d/roles/%d", ada, editor), nil, 204, nil)
		e.fail("DELETE", fmt.Sprintf("/users/%d/roles/%d", ada, editor), nil, 404, "Role not assigned to this user")
		e.fail("DELETE", fmt.Sprintf("/users/999999/roles/%d", editor), nil, 404, "User not found")
		e.fail("DELETE", fmt.Sprintf("/users/%d/roles/999999", ada), nil, 404, "Role not found")

		// Deleting a role drops its links and keeps its users.
		e.call("DELETE", fmt.Sprintf("/roles/%d", editor), nil, 204, nil)
		e.call("GET", fmt.Sprintf("/users/%d", bob), nil, 200, nil)
		if n := e.count("user_roles", "role_id = ?", editor); n != 0 {
			t.Errorf("%d links to a deleted role", n)
		}
	})
}
