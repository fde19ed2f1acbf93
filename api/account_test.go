package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
)

// Usernames and emails are unique whatever their case; emails are stored in
// lower case, usernames as typed, and one signs in with any case.
func TestNamesAreCaseInsensitive(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		var ada blogd.User
		e.call("POST", "/users", map[string]any{"username": "Ada", "email": "Ada.L@Example.com", "password": testPassword}, 201, &ada)
		if ada.Username != "Ada" || ada.Email != "ada.l@example.com" {
			t.Errorf("created %+v", ada)
		}
		e.fail("POST", "/users", map[string]any{"username": "ada", "email": "x@example.com", "password": testPassword}, 409, "username already taken")
		e.fail("POST", "/users", map[string]any{"username": "ADA", "email": "y@example.com", "password": testPassword}, 409, "username already taken")
		e.fail("POST", "/users", map[string]any{"username": "other", "email": "ADA.L@EXAMPLE.COM", "password": testPassword}, 409, "email already taken")
		bob := e.user("bob")
		e.fail("PATCH", fmt.Sprintf("/users/%d", bob), map[string]any{"username": "aDA"}, 409, "username already taken")
		e.fail("PATCH", fmt.Sprintf("/users/%d", bob), map[string]any{"email": "ada.l@EXAMPLE.com"}, 409, "email already taken")
		var patched blogd.User
		e.call("PATCH", fmt.Sprintf("/users/%d", bob), map[string]any{"email": "Bob@Example.org"}, 200, &patched)
		if patched.Email != "bob@example.org" {
			t.Errorf("patched email %q", patched.Email)
		}
		if n := e.count("users", ""); n != 3 {
			t.Errorf("%d users", n)
		}
		// Any case signs in.
		for _, name := range []string{"Ada", "ada", "ADA"} {
			e.signIn(name, testPassword)
		}
	})
}

// Changing one's own password takes the current one; an admin resets
// another's without it.
func TestPasswordChangeNeedsTheCurrentOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		tok := e.signIn("ada", testPassword)
		path := fmt.Sprintf("/users/%d", ada)
		e.as(tok).fail("PATCH", path, map[string]any{"password": "a new password"}, 403, "Changing your own password needs the current one (current_password)")
		e.as(tok).fail("PATCH", path, map[string]any{"password": "a new password", "current_password": "wrong password"}, 403, "The current password is incorrect")
		// The token still works, and the old password still signs in.
		e.as(tok).call("GET", "/users/me", nil, 200, nil)
		e.signIn("ada", testPassword)
		e.as(tok).call("PATCH", path, map[string]any{"password": "a new password", "current_password": testPassword}, 200, nil)
		e.signIn("ada", "a new password")
		// An admin resets it without knowing it; but not their own.
		e.call("PATCH", path, map[string]any{"password": "reset by admin"}, 200, nil)
		e.signIn("ada", "reset by admin")
		e.fail("PATCH", fmt.Sprintf("/users/%d", e.adminID), map[string]any{"password": "a new password"}, 403, "")
		// Guessing the current password is throttled like signing in.
		tok = e.signIn("ada", "reset by admin")
		for range 5 {
			e.as(tok).fail("PATCH", path, map[string]any{"password": "x12345678", "current_password": "guess"}, 403, "The current password is incorrect")
		}
		e.as(tok).fail("PATCH", path, map[string]any{"password": "x12345678", "current_password": "reset by admin"}, 403, "Too many wrong passwords; try again later")
	})
}

// The built-in roles can be neither renamed nor deleted, so no admin can
// lock every admin out.
func TestBuiltinRolesAreKept(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		var roles []blogd.Role
		e.call("GET", "/roles", nil, 200, &roles)
		var admin int64
		for _, r := range roles {
			if r.Name == blogd.RoleAdmin {
				admin = r.ID
			}
		}
		mod := e.role(blogd.RoleModerator)
		for _, id := range []int64{admin, mod} {
			path := fmt.Sprintf("/roles/%d", id)
			e.fail("PATCH", path, map[string]any{"name": "renamed"}, 409, "")
			e.fail("DELETE", path, nil, 409, "")
			// Its description may change, and naming it as it is is no change.
			e.call("PATCH", path, map[string]any{"description": "built in", "name": roleName(id, admin)}, 200, nil)
		}
		other := e.role("editor")
		e.call("PATCH", fmt.Sprintf("/roles/%d", other), map[string]any{"name": "writer"}, 200, nil)
		e.call("DELETE", fmt.Sprintf("/roles/%d", other), nil, 204, nil)
		e.fail("DELETE", fmt.Sprintf("/roles/%d", other), nil, 404, "Role not found")
		// The admin is still an admin.
		e.call("POST", "/categories", map[string]any{"name": "still admin"}, 201, nil)
	})
}

func roleName(id, admin int64) string {
	if id == admin {
		return blogd.RoleAdmin
	}
	return blogd.RoleModerator
}

// clientFrom returns an HTTP client whose connections come from ip, an
// address of the loopback range, as another machine's would.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}}
}

// Failed sign-ins slow the address that made them, not the user: from
// elsewhere the owner still signs in. Past the slower limit over every
// address, only addresses that failed are blocked.
func TestSignInThrottlePerAddress(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	e.user("ada")
	signIn := func(from, password string) int {
		form := url.Values{"username": {"ada"}, "password": {password}}.Encode()
		resp, err := clientFrom(from).Post(e.srv.URL+"/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 5 {
		if s := signIn("127.0.0.2", "wrong password"); s != 401 {
			t.Fatalf("guess: %d", s)
		}
	}
	if s := signIn("127.0.0.2", testPassword); s != 429 {
		t.Errorf("the guesser after 5 failures: %d, want 429", s)
	}
	if s := signIn("127.0.0.3", testPassword); s != 200 {
		t.Errorf("the owner from another address: %d, want 200", s)
	}
	// 100 failures over many addresses: each that failed is blocked, a
	// fresh one still signs in.
	for i := range 95 {
		if s := signIn(fmt.Sprintf("127.0.1.%d", i+1), "wrong password"); s != 401 {
			t.Fatalf("guess %d: %d", i, s)
		}
	}
	if s := signIn("127.0.1.1", "wrong password"); s != 429 {
		t.Errorf("an address that failed, past the limit over all: %d, want 429", s)
	}
	if s := signIn("127.0.0.4", testPassword); s != 200 {
		t.Errorf("a fresh address past the limit over all: %d, want 200", s)
	}
}
