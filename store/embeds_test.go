package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/rowjson"
	"github.com/blogd/blogd/store"
)

// On SQLite the store keeps the rows it embedded. After every kind of
// write, by this store or by another process on the same file (here a
// second store), and through foreign-key cascades, each relation of the
// graph embeds exactly what a store that keeps nothing reads, in as many
// statements: a kept relation still costs its one.
func TestEmbedSeesEveryWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "blogd.db")
	open := func(opts store.Options) *store.Store {
		s, err := store.OpenSQLite(ctx, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	kept, other, plain := open(store.Options{}), open(store.Options{}), open(store.Options{EmbedCacheBytes: -1})

	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := "bio"
	var users, posts, comments, cats, roles []int64
	for i := range 3 {
		u, err := kept.CreateUser(ctx, blogd.UserCreate{Username: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@example.com", i)}, "")
		must(nil, err)
		users = append(users, u.ID)
		c, err := kept.CreateCategory(ctx, blogd.CategoryCreate{Name: fmt.Sprintf("c%d", i)})
		must(nil, err)
		cats = append(cats, c.ID)
		r, err := kept.CreateRole(ctx, blogd.RoleCreate{Name: fmt.Sprintf("r%d", i)})
		must(nil, err)
		roles = append(roles, r.ID)
		must(kept.AssignRole(ctx, u.ID, r.ID))
		if i < 2 {
			must(kept.CreateProfile(ctx, u.ID, blogd.ProfileInput{Bio: &text}))
		}
	}
	for i := range 4 {
		p, err := kept.CreatePost(ctx, blogd.PostCreate{Title: "t", Content: "c", UserID: users[i%2], CategoryIDs: cats[:2]})
		must(nil, err)
		posts = append(posts, p.ID)
		var parent *int64 // each comment but the first replies to the one before
		for j := range 3 {
			c, err := kept.CreateComment(ctx, blogd.CommentCreate{Content: "x", PostID: p.ID, UserID: users[(i+j)%3], ParentID: parent})
			must(nil, err)
			comments = append(comments, c.ID)
			parent = &c.ID
		}
	}

	// check embeds every relation for every parent that is left, twice
	// through the keeping store (the second time from what it kept), and
	// compares both with the plain store's reads.
	check := func(step string) {
		t.Helper()
		for r, ids := range map[store.Resource][]int64{store.ResourceUser: users, store.ResourcePost: posts,
			store.ResourceComment: comments, store.ResourceCategory: cats, store.ResourceRole: roles} {
			parents := parentsLeft(t, plain, r, ids)
			for _, rel := range store.Relations(r) {
				pctx, plainStats := store.WithStats(ctx)
				want, err := plain.Embed(pctx, rel, parents, 2)
				must(nil, err)
				// Some parents first, so that the cache then holds some of
				// the parents' rows and lacks the others'.
				half := parents[:len(parents)/2]
				wantHalf, err := plain.Embed(ctx, rel, half, 2)
				must(nil, err)
				if got, err := kept.Embed(ctx, rel, half, 2); err != nil || !reflect.DeepEqual(seen(t, got), seen(t, wantHalf)) {
					t.Errorf("%s: %s.%s of some parents: embedded\n%s\nwant\n%s (%v)", step, r, rel.Name, dump(t, got), dump(t, wantHalf), err)
				}
				for round := range 2 {
					sctx, stats := store.WithStats(ctx)
					got, err := kept.Embed(sctx, rel, parents, 2)
					must(nil, err)
					if n, w := stats.Statements(), plainStats.Statements(); n != w {
						t.Errorf("%s: %s.%s, round %d: %d statements, want %d", step, r, rel.Name, round, n, w)
					}
					if !reflect.DeepEqual(seen(t, got), seen(t, want)) {
						t.Errorf("%s: %s.%s, round %d: embedded\n%s\nwant\n%s", step, r, rel.Name, round, dump(t, got), dump(t, want))
					}
				}
			}
		}
	}
	check("created")

	name, newer := "renamed", "elsewhere"
	text = "edited"
	for _, w := range []struct {
		step  string
		write func() error
	}{
		{"a user renamed by another store", func() error {
			_, err := other.UpdateUser(ctx, users[1], blogd.UserUpdate{Username: &name}, nil)
			return err
		}},
		{"a comment added by another store", func() error {
			_, err := other.CreateComment(ctx, blogd.CommentCreate{Content: "new", PostID: posts[0], UserID: users[2]})
			return err
		}},
		{"a comment edited", func() error {
			_, err := kept.UpdateComment(ctx, comments[0], blogd.CommentUpdate{Content: &text})
			return err
		}},
		{"a category renamed by another store", func() error {
			_, err := other.UpdateCategory(ctx, cats[0], blogd.CategoryUpdate{Name: &name})
			return err
		}},
		{"a category unlinked", func() error { return other.RemovePostCategory(ctx, posts[1], cats[1]) }},
		{"a profile changed", func() error {
			_, err := other.UpdateProfile(ctx, users[0], blogd.ProfileInput{Bio: &name, Location: &newer})
			return err
		}},
		{"a role taken back", func() error { return other.UnassignRole(ctx, users[0], roles[0]) }},
		{"a role renamed", func() error {
			_, err := other.UpdateRole(ctx, roles[1], blogd.RoleUpdate{Name: &newer})
			return err
		}},
		{"a post edited", func() error {
			_, err := other.UpdatePost(ctx, posts[2], blogd.PostUpdate{Title: &text})
			return err
		}},
		{"a comment without replies deleted", func() error { return other.DeleteComment(ctx, comments[5]) }},
		{"a post deleted", func() error { return other.DeletePost(ctx, posts[3]) }},
		// The user's posts, their comments and links, and the user's own
		// comments on other posts go by cascade.
		{"a user deleted", func() error { return other.DeleteUser(ctx, users[0]) }},
		{"a category deleted", func() error { return other.DeleteCategory(ctx, cats[1]) }},
	} {
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.step, err)
		}
		check(w.step)
	}
}

// parentsLeft reads the rows of resource r with ids, skipping those that
// are not there.
func parentsLeft(t *testing.T, s *store.Store, r store.Resource, ids []int64) []blogd.Keyed {
	t.Helper()
	ctx := context.Background()
	var rows []blogd.Keyed
	for _, id := range ids {
		var row blogd.Keyed
		var err error
		switch r {
		case store.ResourceUser:
			row, err = s.User(ctx, id)
		case store.ResourcePost:
			row, err = s.PostOnly(ctx, id)
		case store.ResourceComment:
			row, err = s.Comment(ctx, id)
		case store.ResourceCategory:
			row, err = s.Category(ctx, id)
		case store.ResourceRole:
			row, err = s.Role(ctx, id)
		}
		if blogd.ErrorKind(err) == blogd.KindNotFound {
			continue
		}
		if err != nil {
			t.Fatalf("%s %d: %v", r, id, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// dump shows what each parent embedded.
func dump(t *testing.T, m []*store.Embedded) string {
	var out string
	for i, rows := range seen(t, m) {
		out += fmt.Sprintf("  parent %d: %s\n", i, strings.Join(rows, "\n     "))
	}
	return out
}

// seen is what each parent, in turn, embedded as an answer shows it, whether the
// rows are values or kept as JSON (store.KeptRow): each row's id, the
// rows it names, its JSON, and a user's JSON as others see it.
func seen(t *testing.T, m []*store.Embedded) [][]string {
	t.Helper()
	out := make([][]string, len(m))
	for i, e := range m {
		rows := []string{fmt.Sprint("more=", e.More)}
		for _, row := range e.Rows {
			var whole, public []byte
			var err error
			switch r := row.(type) {
			case *store.KeptRow:
				whole, public = r.JSON(), r.JSON()
				if _, private := r.Owner(); private {
					public = r.AppendPublic(nil)
				}
			case blogd.User:
				whole, err = rowjson.Append(nil, r)
				if err == nil {
					public, err = rowjson.Append(nil, r.Public())
				}
			default:
				whole, err = rowjson.Append(nil, r)
				public = whole
			}
			if err != nil {
				t.Fatal(err)
			}
			// A row that cannot name one names none.
			type ref struct {
				id  int64
				has bool
			}
			var author, post, parent ref
			if r, ok := row.(interface{ AuthorRef() (int64, bool) }); ok {
				author.id, author.has = r.AuthorRef()
			}
			if r, ok := row.(interface{ PostRef() (int64, bool) }); ok {
				post.id, post.has = r.PostRef()
			}
			if r, ok := row.(interface{ ParentRef() (int64, bool) }); ok {
				parent.id, parent.has = r.ParentRef()
			}
			rows = append(rows, fmt.Sprintf("id=%d author=%v post=%v parent=%v %s public %s", row.Key().ID, author, post, parent, whole, public))
		}
		out[i] = rows
	}
	return out
}
