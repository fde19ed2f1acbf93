package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd"
)

// Every resource: GET gives a strong ETag, If-None-Match with it is 304,
// a PATCH or DELETE with a stale If-Match is 412 and changes nothing, with
// the current one it happens and a PATCH answers the new tag.
func TestConditionalRequests(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		e.call("POST", fmt.Sprintf("/users/%d/profile", ada), map[string]any{"bio": "b"}, 201, nil)
		resources := []struct {
			path  string
			patch map[string]any
		}{
			{fmt.Sprintf("/users/%d", ada), map[string]any{"username": "ada2"}},
			{fmt.Sprintf("/users/%d/profile", ada), map[string]any{"bio": "c"}},
			{fmt.Sprintf("/comments/%d", e.comment(post, ada, 0)), map[string]any{"content": "c2"}},
			{fmt.Sprintf("/posts/%d", post), map[string]any{"title": "t2"}},
			{fmt.Sprintf("/categories/%d", e.category("go")), map[string]any{"name": "golang"}},
			{fmt.Sprintf("/roles/%d", e.role("editor")), map[string]any{"name": "writer"}},
		}
		for _, res := range resources {
			r := e.call("GET", res.path, nil, 200, nil)
			tag := r.header.Get("ETag")
			if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
				t.Fatalf("%s: ETag %q", res.path, tag)
			}
			if again := e.call("GET", res.path, nil, 200, nil).header.Get("ETag"); again != tag {
				t.Errorf("%s: ETag %q then %q with nothing changed", res.path, tag, again)
			}
			nm := e.with("If-None-Match", tag).do("GET", res.path, nil)
			if nm.status != http.StatusNotModified || len(nm.body) != 0 || nm.header.Get("ETag") != tag {
				t.Errorf("%s: If-None-Match current: %d %q", res.path, nm.status, nm.body)
			}
			if other := e.with("If-None-Match", `"0"`).do("GET", res.path, nil); other.status != 200 {
				t.Errorf("%s: If-None-Match stale: %d", res.path, other.status)
			}
			before := string(r.body)
			e.with("If-Match", `"stale"`).fail("PATCH", res.path, res.patch, http.StatusPreconditionFailed, "")
			e.with("If-Match", `"stale"`).fail("DELETE", res.path, nil, http.StatusPreconditionFailed, "")
			if now := string(e.call("GET", res.path, nil, 200, nil).body); now != before {
				t.Errorf("%s: changed by a refused write: %s -> %s", res.path, before, now)
			}
			p := e.with("If-Match", tag).call("PATCH", res.path, res.patch, 200, nil)
			newTag := p.header.Get("ETag")
			if newTag == "" || newTag == tag || e.call("GET", res.path, nil, 200, nil).header.Get("ETag") != newTag {
				t.Errorf("%s: PATCH answered ETag %q (before %q)", res.path, newTag, tag)
			}
			// The old tag is stale now; the new one deletes.
			e.with("If-Match", tag).fail("DELETE", res.path, nil, http.StatusPreconditionFailed, "")
			if res.path[:7] == "/users/" && len(res.path) < 12 {
				continue // keep the user: the other resources hang off it
			}
			e.with("If-Match", newTag).call("DELETE", res.path, nil, 204, nil)
		}
		// "*" matches any current representation.
		c := e.comment(e.post(ada), ada, 0)
		e.with("If-Match", "*").call("PATCH", fmt.Sprintf("/comments/%d", c), map[string]any{"content": "x"}, 200, nil)
	})
}

// The tag covers what the body embeds: renaming a post's author, or linking
// it to a category, changes the post's tag.
func TestETagCoversEmbeddedRelations(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		post := e.post(ada)
		path := fmt.Sprintf("/posts/%d", post)
		tag := e.call("GET", path, nil, 200, nil).header.Get("ETag")
		e.call("PATCH", fmt.Sprintf("/users/%d", ada), map[string]any{"username": "ada_renamed"}, 200, nil)
		renamed := e.call("GET", path, nil, 200, nil).header.Get("ETag")
		if renamed == tag {
			t.Errorf("author renamed, post ETag unchanged")
		}
		e.with("If-Match", tag).fail("PATCH", path, map[string]any{"title": "x"}, http.StatusPreconditionFailed, "The post was changed by someone else; fetch it again")
		cat := e.category("go")
		e.call("POST", fmt.Sprintf("%s/categories/%d", path, cat), nil, 200, nil)
		if linked := e.call("GET", path, nil, 200, nil).header.Get("ETag"); linked == renamed {
			t.Errorf("category linked, post ETag unchanged")
		}
	})
}

// updated_at changes exactly when the resource does: on every change, and
// on a post's category link and unlink; not on reads, nor on changes to
// other resources.
func TestUpdatedAt(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		cat := e.category("go")
		var p blogd.PostWithRelations
		e.call("POST", "/posts", map[string]any{"title": "t", "content": "c", "user_id": ada}, 201, &p)
		if p.UpdatedAt.IsZero() || !p.UpdatedAt.Equal(p.CreatedAt) {
			t.Errorf("new post: created %v, updated %v", p.CreatedAt, p.UpdatedAt)
		}
		path := fmt.Sprintf("/posts/%d", p.ID)
		updated := func() time.Time {
			var got blogd.PostWithRelations
			e.call("GET", path, nil, 200, &got)
			return got.UpdatedAt
		}
		last := updated()
		for _, step := range []struct {
			name    string
			do      func()
			changes bool
		}{
			{"read", func() { e.call("GET", path, nil, 200, nil) }, false},
			{"another post's edit", func() { e.call("PATCH", fmt.Sprintf("/posts/%d", e.post(ada)), map[string]any{"title": "o"}, 200, nil) }, false},
			{"edit", func() { e.call("PATCH", path, map[string]any{"content": "c2"}, 200, nil) }, true},
			{"link", func() { e.call("POST", fmt.Sprintf("%s/categories/%d", path, cat), nil, 200, nil) }, true},
			{"unlink", func() { e.call("DELETE", fmt.Sprintf("%s/categories/%d", path, cat), nil, 204, nil) }, true},
		} {
			time.Sleep(2 * time.Millisecond)
			step.do()
			now := updated()
			if now.After(last) != step.changes || now.Before(last) {
				t.Errorf("%s: updated_at %v -> %v", step.name, last, now)
			}
			last = now
		}
		// The other resources carry it too, and an edit moves it.
		var u blogd.User
		e.call("GET", fmt.Sprintf("/users/%d", ada), nil, 200, &u)
		var u2 blogd.User
		e.call("PATCH", fmt.Sprintf("/users/%d", ada), map[string]any{"username": "ada3"}, 200, &u2)
		if u.UpdatedAt.IsZero() || !u2.UpdatedAt.After(u.UpdatedAt) {
			t.Errorf("user updated_at %v -> %v", u.UpdatedAt, u2.UpdatedAt)
		}
	})
}

// Of 20 clients that PATCH one post with the same tag at once, exactly one
// succeeds; the others get 412.
func TestRacingPatchesWithOneTag(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ada := e.user("ada")
		path := fmt.Sprintf("/posts/%d", e.post(ada))
		tag := e.call("GET", path, nil, 200, nil).header.Get("ETag")
		var wg sync.WaitGroup
		statuses := make([]int, 20)
		start := make(chan struct{})
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[i] = e.with("If-Match", tag).do("PATCH", path, map[string]any{"title": fmt.Sprintf("by %d", i)}).status
			}()
		}
		close(start)
		wg.Wait()
		won, lost := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				won++
			case http.StatusPreconditionFailed:
				lost++
			}
		}
		if won != 1 || lost != 19 {
			t.Errorf("statuses %v: %d won, %d got 412", statuses, won, lost)
		}
	})
}
