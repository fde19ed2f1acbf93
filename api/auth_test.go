package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
)

// fixture is what one cell of the permission matrix works on: an owner
// (a plain user) with a profile-less account, a post in a category, a
// comment, and a category and a role to manage.
type fixture struct {
	owner, post, comment, category, role int64
	n                                    int // unique per cell, for names
}

var cellCount int

func (e *env) newFixture() fixture {
	e.t.Helper()
	cellCount++
	f := fixture{n: cellCount}
	f.owner = e.user(fmt.Sprintf("owner%d", f.n))
	f.category = e.category(fmt.Sprintf("cat%d", f.n))
	f.role = e.role(fmt.Sprintf("role%d", f.n))
	f.post = e.post(f.owner, f.category)
	f.comment = e.comment(f.post, f.owner, 0)
	return f
}

// TestPermissionMatrix checks the exact status of every write route for
// each kind of caller: anonymous, another user, the owner, a moderator and
// an admin.
func TestPermissionMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		other := e.user("other")
		mod := e.user("mod")
		modRole := e.role(blogd.RoleModerator)
		e.call("POST", fmt.Sprintf("/users/%d/roles/%d", mod, modRole), nil, 200, nil)
		tokens := map[string]string{
			"user":  e.signIn("other", testPassword),
			"mod":   e.signIn("mod", testPassword),
			"admin": e.token,
		}
		_ = other

		type req struct {
			method, path string
			body         any
		}
		routes := []struct {
			name  string
			setup func(f fixture) // as admin, before the request
			req   func(f fixture) req
			want  [5]int // anonymous, user, owner, moderator, admin
		}{
			{"sign up", nil, func(f fixture) req {
				return req{"POST", "/users", map[string]any{"username": fmt.Sprintf("new%d", f.n), "email": fmt.Sprintf("new%d@example.com", f.n), "password": testPassword}}
			}, [5]int{201, 201, 201, 201, 201}},
			{"sign in", nil, func(f fixture) req { return req{"POST", "/auth/token", nil} }, [5]int{200, 200, 200, 200, 200}},
			{"me", nil, func(f fixture) req { return req{"GET", "/users/me", nil} }, [5]int{401, 200, 200, 200, 200}},
			{"update user", nil, func(f fixture) req {
				return req{"PATCH", fmt.Sprintf("/users/%d", f.owner), map[string]any{"email": fmt.Sprintf("o%d@example.org", f.n)}}
			}, [5]int{401, 403, 200, 403, 200}},
			{"delete user", nil, func(f fixture) req { return req{"DELETE", fmt.Sprintf("/users/%d", f.owner), nil} }, [5]int{401, 403, 204, 403, 204}},
			{"create profile", nil, func(f fixture) req {
				return req{"POST", fmt.Sprintf("/users/%d/profile", f.owner), map[string]any{"bio": "x"}}
			}, [5]int{401, 403, 201, 403, 201}},
			{"update profile", func(f fixture) { e.call("POST", fmt.Sprintf("/users/%d/profile", f.owner), map[string]any{}, 201, nil) },
				func(f fixture) req {
					return req{"PATCH", fmt.Sprintf("/users/%d/profile", f.owner), map[string]any{"bio": "y"}}
				}, [5]int{401, 403, 200, 403, 200}},
			{"delete profile", func(f fixture) { e.call("POST", fmt.Sprintf("/users/%d/profile", f.owner), map[string]any{}, 201, nil) },
				func(f fixture) req { return req{"DELETE", fmt.Sprintf("/users/%d/profile", f.owner), nil} }, [5]int{401, 403, 204, 403, 204}},
			{"assign role", nil, func(f fixture) req { return req{"POST", fmt.Sprintf("/users/%d/roles/%d", f.owner, f.role), nil} }, [5]int{401, 403, 403, 403, 200}},
			{"unassign role", func(f fixture) { e.call("POST", fmt.Sprintf("/users/%d/roles/%d", f.owner, f.role), nil, 200, nil) },
				func(f fixture) req { return req{"DELETE", fmt.Sprintf("/users/%d/roles/%d", f.owner, f.role), nil} }, [5]int{401, 403, 403, 403, 204}},
			{"create post as the owner", nil, func(f fixture) req {
				return req{"POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": f.owner}}
			}, [5]int{401, 403, 201, 403, 201}},
			{"create post as oneself", nil, func(f fixture) req {
				return req{"POST", "/posts", map[string]any{"title": "t", "content": "c"}}
			}, [5]int{401, 201, 201, 201, 201}},
			{"update post", nil, func(f fixture) req {
				return req{"PATCH", fmt.Sprintf("/posts/%d", f.post), map[string]any{"title": "new"}}
			}, [5]int{401, 403, 200, 200, 200}},
			{"delete post", nil, func(f fixture) req { return req{"DELETE", fmt.Sprintf("/posts/%d", f.post), nil} }, [5]int{401, 403, 204, 204, 204}},
			{"link category", nil, func(f fixture) req {
				return req{"POST", fmt.Sprintf("/posts/%d/categories/%d", f.post, f.category), nil}
			}, [5]int{401, 403, 200, 200, 200}},
			{"unlink category", nil, func(f fixture) req {
				return req{"DELETE", fmt.Sprintf("/posts/%d/categories/%d", f.post, f.category), nil}
			}, [5]int{401, 403, 204, 204, 204}},
			{"comment on a post as the owner", nil, func(f fixture) req {
				return req{"POST", fmt.Sprintf("/posts/%d/comments", f.post), map[string]any{"content": "c", "user_id": f.owner}}
			}, [5]int{401, 403, 201, 403, 201}},
			{"comment as the owner", nil, func(f fixture) req {
				return req{"POST", "/comments", map[string]any{"content": "c", "post_id": f.post, "user_id": f.owner}}
			}, [5]int{401, 403, 201, 403, 201}},
			{"comment as oneself", nil, func(f fixture) req {
				return req{"POST", "/comments", map[string]any{"content": "c", "post_id": f.post}}
			}, [5]int{401, 201, 201, 201, 201}},
			{"update comment", nil, func(f fixture) req {
				return req{"PATCH", fmt.Sprintf("/comments/%d", f.comment), map[string]any{"content": "new"}}
			}, [5]int{401, 403, 200, 200, 200}},
			{"delete comment", nil, func(f fixture) req { return req{"DELETE", fmt.Sprintf("/comments/%d", f.comment), nil} }, [5]int{401, 403, 204, 204, 204}},
			{"create category", nil, func(f fixture) req {
				return req{"POST", "/categories", map[string]any{"name": fmt.Sprintf("newcat%d", f.n)}}
			}, [5]int{401, 403, 403, 403, 201}},
			{"update category", nil, func(f fixture) req {
				return req{"PATCH", fmt.Sprintf("/categories/%d", f.category), map[string]any{"description": "d"}}
			}, [5]int{401, 403, 403, 403, 200}},
			{"delete category", nil, func(f fixture) req { return req{"DELETE", fmt.Sprintf("/categories/%d", f.category), nil} }, [5]int{401, 403, 403, 403, 204}},
			{"create role", nil, func(f fixture) req {
				return req{"POST", "/roles", map[string]any{"name": fmt.Sprintf("newrole%d", f.n)}}
			}, [5]int{401, 403, 403, 403, 201}},
			{"update role", nil, func(f fixture) req {
				return req{"PATCH", fmt.Sprintf("/roles/%d", f.role), map[string]any{"description": "d"}}
			}, [5]int{401, 403, 403, 403, 200}},
			{"delete role", nil, func(f fixture) req { return req{"DELETE", fmt.Sprintf("/roles/%d", f.role), nil} }, [5]int{401, 403, 403, 403, 204}},
		}
		callers := []string{"anonymous", "user", "owner", "moderator", "admin"}
		for _, rt := range routes {
			for i, who := range callers {
				f := e.newFixture()
				if rt.setup != nil {
					rt.setup(f)
				}
				token := map[string]string{"anonymous": "", "user": tokens["user"], "owner": e.signIn(fmt.Sprintf("owner%d", f.n), testPassword),
					"moderator": tokens["mod"], "admin": tokens["admin"]}[who]
				r := rt.req(f)
				var resp response
				if r.path == "/auth/token" {
					resp = e.as(token).raw("POST", r.path, "application/x-www-form-urlencoded",
						[]byte(url.Values{"username": {"other"}, "password": {testPassword}}.Encode()))
				} else {
					resp = e.as(token).do(r.method, r.path, r.body)
				}
				if resp.status != rt.want[i] {
					t.Errorf("%s (%s %s) as %s: %d, want %d: %s", rt.name, r.method, r.path, who, resp.status, rt.want[i], resp.body)
				}
				if resp.status == 401 && !strings.HasPrefix(resp.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s as %s: 401 without WWW-Authenticate: Bearer", rt.name, who)
				}
			}
		}
	})
}

func TestBadTokens(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	for _, h := range []string{"", "Bearer", "Bearer ", "Basic YWRtaW46eA==", "Bearer not-a-token", "bearer " + strings.Repeat("x", 300)} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/categories", strings.NewReader(`{"name":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d", h, resp.StatusCode)
		}
	}
	// The scheme's case does not matter.
	req, _ := http.NewRequest("POST", e.srv.URL+"/categories", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "bearer "+e.token)
	resp, err := e.srv.Client().Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Errorf("lower-case scheme: %v %v", resp, err)
	}
	resp.Body.Close()
	if n := e.count("categories", ""); n != 1 {
		t.Errorf("%d categories", n)
	}
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	ada := e.user("ada")
	tok := e.signIn("ada", testPassword)
	var me blogd.User
	e.as(tok).call("GET", "/users/me", nil, 200, &me)
	if me.ID != ada || me.Email != "ada@example.com" {
		t.Errorf("me %+v", me)
	}
	e.clock.advance(59 * time.Minute)
	e.as(tok).call("GET", "/users/me", nil, 200, nil)
	e.clock.advance(2 * time.Minute)
	e.as(tok).fail("GET", "/users/me", nil, 401, "")
	e.as(tok).fail("POST", "/posts", map[string]any{"title": "t", "content": "c"}, 401, "")
}

func TestTokenRevocation(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	ada := e.user("ada")
	first, second := e.signIn("ada", testPassword), e.signIn("ada", testPassword)
	// Changing the password ends every token of the user...
	e.as(first).call("PATCH", fmt.Sprintf("/users/%d", ada), map[string]any{"password": "a brand new password", "current_password": testPassword}, 200, nil)
	e.as(first).fail("GET", "/users/me", nil, 401, "")
	e.as(second).fail("GET", "/users/me", nil, 401, "")
	// ...the old password no longer works, the new one does.
	form := func(p string) []byte { return []byte(url.Values{"username": {"ada"}, "password": {p}}.Encode()) }
	if r := e.as("").raw("POST", "/auth/token", "application/x-www-form-urlencoded", form(testPassword)); r.status != 401 {
		t.Errorf("old password: %d", r.status)
	}
	third := e.signIn("ada", "a brand new password")
	e.as(third).call("GET", "/users/me", nil, 200, nil)
	// Deleting the user ends them too.
	e.as(third).call("DELETE", fmt.Sprintf("/users/%d", ada), nil, 204, nil)
	e.as(third).fail("GET", "/users/me", nil, 401, "")
	if n := e.count("tokens", "user_id = ?", ada); n != 0 {
		t.Errorf("%d tokens of a deleted user", n)
	}
	// Passwords are stored only as bcrypt hashes.
	var hash string
	if err := e.store.ReadDB().QueryRow(e.store.Rebind("SELECT password_hash FROM users WHERE id = ?"), e.adminID).Scan(&hash); err != nil ||
		!strings.HasPrefix(hash, "$2a$") || strings.Contains(hash, testPassword) {
		t.Errorf("stored password %q (%v)", hash, err)
	}
}

func TestSignInThrottlingAndNoEnumeration(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	e.user("ada")
	anon := e.as("")
	signIn := func(user, pass string) response {
		return anon.raw("POST", "/auth/token", "application/x-www-form-urlencoded",
			[]byte(url.Values{"username": {user}, "password": {pass}}.Encode()))
	}
	// A wrong password and an unknown user get the same answer.
	wrong, unknown := signIn("ada", "wrong password"), signIn("nobody", "wrong password")
	if wrong.status != 401 || unknown.status != 401 || string(wrong.body) != string(unknown.body) {
		t.Errorf("wrong password %d %s, unknown user %d %s", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	for range 4 {
		signIn("ada", "wrong password")
	}
	// Five failures: throttled, even with the right password.
	r := signIn("ada", testPassword)
	if r.status != 429 {
		t.Fatalf("sixth attempt: %d %s", r.status, r.body)
	}
	if after, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || after < 1 || after > 15*60 {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// Other usernames are not affected.
	if r := signIn("admin", testPassword); r.status != 200 {
		t.Errorf("another user: %d", r.status)
	}
	// After the window, the right password works again.
	e.clock.advance(16 * time.Minute)
	if r := signIn("ada", testPassword); r.status != 200 {
		t.Errorf("after the window: %d %s", r.status, r.body)
	}
	// Bad forms.
	for _, body := range []string{"", "username=ada", "password=x", "username=ada&password=x&grant_type=client_credentials"} {
		if r := anon.raw("POST", "/auth/token", "application/x-www-form-urlencoded", []byte(body)); r.status != 422 {
			t.Errorf("form %q: %d", body, r.status)
		}
	}
	if r := anon.raw("POST", "/auth/token", "application/json", []byte(`{"username":"ada"}`)); r.status != 415 {
		t.Errorf("JSON body: %d", r.status)
	}
}

func TestEmailShownOnlyToSelfAndAdmins(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	ada, bob := e.user("ada"), e.user("bob")
	adaTok := e.signIn("ada", testPassword)
	emails := func(token, path string) map[int64]string {
		r := e.as(token).call("GET", path, nil, 200, nil)
		var users []blogd.User
		if strings.HasPrefix(string(r.body), "{") {
			var u blogd.User
			decode(t, r.body, &u)
			users = []blogd.User{u}
		} else {
			decode(t, r.body, &users)
		}
		out := map[int64]string{}
		for _, u := range users {
			out[u.ID] = u.Email
		}
		return out
	}
	for _, path := range []string{"/users", fmt.Sprintf("/users/%d", ada), fmt.Sprintf("/users/%d", bob)} {
		anon, self, admin := emails("", path), emails(adaTok, path), emails(e.token, path)
		for id := range admin {
			if admin[id] == "" {
				t.Errorf("%s: admin does not see %d's email", path, id)
			}
			if anon[id] != "" {
				t.Errorf("%s: anonymous sees %d's email", path, id)
			}
			if (self[id] != "") != (id == ada) {
				t.Errorf("%s: ada sees %d's email: %q", path, id, self[id])
			}
		}
	}
	// An invalid token on a public read reads as no token.
	if got := emails("garbage", fmt.Sprintf("/users/%d", ada)); got[ada] != "" {
		t.Errorf("a bad token sees the email")
	}
}

// Taking a role away takes its powers at once, though callers are cached.
func TestRoleChangeTakesEffectAtOnce(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	ada := e.user("ada")
	tok := e.signIn("ada", testPassword)
	var roles []blogd.Role
	e.call("GET", "/roles", nil, 200, &roles) // the env's admin role
	admin := roles[0].ID
	e.as(tok).fail("POST", "/categories", map[string]any{"name": "a"}, 403, "")
	e.call("POST", fmt.Sprintf("/users/%d/roles/%d", ada, admin), nil, 200, nil)
	e.as(tok).call("POST", "/categories", map[string]any{"name": "b"}, 201, nil)
	e.call("DELETE", fmt.Sprintf("/users/%d/roles/%d", ada, admin), nil, 204, nil)
	e.as(tok).fail("POST", "/categories", map[string]any{"name": "c"}, 403, "")
}
