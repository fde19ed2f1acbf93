package api_test

import (
	"fmt"
	"testing"

	"github.com/blogd/blogd"
)

func TestProfile(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		path := fmt.Sprintf("/users/%d/profile", ada)

		e.fail("GET", path, nil, 404, "Profile not found for this user")
		e.fail("PATCH", path, map[string]any{"bio": "x"}, 404, "Profile not found for this user")
		e.fail("DELETE", path, nil, 404, "Profile not found for this user")
		e.fail("GET", "/users/999999/profile", nil, 404, "User not found")
		e.fail("POST", "/users/999999/profile", map[string]any{"bio": "x"}, 404, "User not found")

		var p blogd.Profile
		r := e.call("POST", path, map[string]any{"bio": "Writes.", "location": "London"}, 201, &p)
		if p.UserID != ada || p.Bio != "Writes." || p.Location != "London" || p.ID == 0 {
			t.Errorf("created %+v", p)
		}
		if r.header.Get("Location") != path {
			t.Errorf("Location %q", r.header.Get("Location"))
		}
		e.fail("POST", path, map[string]any{"bio": "again"}, 409, "Profile already exists for this user")

		var got blogd.Profile
		e.call("GET", path, nil, 200, &got)
		if got != p {
			t.Errorf("get %+v, want %+v", got, p)
		}
		e.call("PATCH", path, map[string]any{"location": "Paris"}, 200, &got)
		if got.Location != "Paris" || got.Bio != "Writes." {
			t.Errorf("patched %+v", got)
		}
		e.fail("PATCH", path, `{"bio":null}`, 422, "")
		e.fail("PATCH", path, `{"bio":7}`, 422, "")
		e.call("DELETE", path, nil, 204, nil)
		e.fail("GET", path, nil, 404, "Profile not found for this user")

		// An empty body makes an empty profile.
		e.call("POST", path, map[string]any{}, 201, &p)
		if p.Bio != "" || p.Location != "" {
			t.Errorf("empty profile %+v", p)
		}
		if n := e.count("profiles", ""); n != 1 {
			t.Errorf("%d profiles", n)
		}
	})
}
