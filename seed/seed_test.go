package seed_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/seed"
	"github.com/blogd/blogd/store"
)

// dump returns every row of the dataset's tables as text, ids included.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT id, name, description FROM roles ORDER BY id",
		"SELECT id, name, description FROM categories ORDER BY id",
		"SELECT id, username, email FROM users ORDER BY id",
		"SELECT id, user_id, bio, location FROM profiles ORDER BY id",
		"SELECT user_id, role_id FROM user_roles ORDER BY user_id, role_id",
		"SELECT id, title, content, user_id FROM posts ORDER BY id",
		"SELECT post_id, category_id FROM post_categories ORDER BY post_id, category_id",
		"SELECT id, content, post_id, user_id, coalesce(parent_id, 0) FROM comments ORDER BY id",
	} {
		rows, err := st.ReadDB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestSeedIsDeterministic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		spec := seed.Spec{Seed: 7, Users: 12, PostsPerUser: 3, Categories: 5, CommentsPerPost: 4,
			ReplyRatio: 0.5, Roles: 3, BatchSize: 7}
		var dumps []string
		for range 2 {
			st := b.Open(t, store.Options{})
			counts, err := seed.Run(ctx, st, spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if counts.Users != 12 || counts.Profiles != 12 || counts.Posts != 36 || counts.Comments != 144 ||
				counts.Categories != 5 || counts.Roles != 3 || counts.Replies == 0 || counts.UserRoles < 12 {
				t.Errorf("counts %s", counts)
			}
			dumps = append(dumps, dump(t, st))
			st.Close()
		}
		if dumps[0] != dumps[1] {
			t.Errorf("two runs of one spec differ")
		}
		// Every reply points at an earlier comment of the same post.
		st := b.Open(t, store.Options{})
		defer st.Close()
		if _, err := seed.Run(ctx, st, spec, nil); err != nil {
			t.Fatal(err)
		}
		var bad int
		err := st.ReadDB().QueryRow(`SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id
			WHERE p.post_id <> c.post_id OR p.id >= c.id`).Scan(&bad)
		if err != nil || bad != 0 {
			t.Errorf("%d replies out of place (%v)", bad, err)
		}
		// A second run with the same names conflicts; with a prefix it works.
		if _, err := seed.Run(ctx, st, spec, nil); err == nil {
			t.Errorf("seeding the same names twice succeeded")
		}
		spec.Prefix = "again_"
		if _, err := seed.Run(ctx, st, spec, nil); err != nil {
			t.Errorf("with a prefix: %v", err)
		}
	})
}

func TestSeedProgress(t *testing.T) {
	st := testdb.SQLite.Open(t, store.Options{})
	defer st.Close()
	spec := seed.DefaultSpec()
	spec.Users, spec.BatchSize = 20, 50
	var last, calls int
	_, err := seed.Run(context.Background(), st, spec, func(done, total int) {
		if done < last || done > total || total != 20+200+1000 {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
		calls++
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != 1220 || calls < 3 {
		t.Errorf("progress ended at %d after %d calls", last, calls)
	}
}
