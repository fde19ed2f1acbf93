package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/store"
)

// A constraint violation that reaches the database, past the store's own
// checks (as when another client deletes a row meanwhile), maps to the same
// error kind and sentence on every database.
func TestConstraintErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		s := b.Open(t, store.Options{})
		defer s.Close()
		u, err := s.CreateUser(ctx, blogd.UserCreate{Username: "ada", Email: "ada@example.com"}, "")
		if err != nil {
			t.Fatal(err)
		}
		err = s.ExecInTx(ctx, "INSERT INTO posts (title, content, user_id, created_at) VALUES (?, ?, ?, ?)",
			"t", "c", u.ID+1000, time.Now())
		if blogd.ErrorKind(err) != blogd.KindNotFound {
			t.Errorf("foreign key violation: %v (kind %v), want not found", err, blogd.ErrorKind(err))
		}
		err = s.ExecInTx(ctx, "INSERT INTO users (username, email, created_at) VALUES (?, ?, ?)",
			"ada", "other@example.com", time.Now())
		if blogd.ErrorKind(err) != blogd.KindConflict || blogd.ErrorDetail(err) != "username already taken" {
			t.Errorf("unique violation: %v", err)
		}
		// Nothing of either failed transaction is left.
		var n int
		if err := s.ReadDB().QueryRowContext(ctx, "SELECT count(*) FROM posts").Scan(&n); err != nil || n != 0 {
			t.Errorf("posts: %d, %v", n, err)
		}
	})
}
