package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// Batch inserts many rows in one write transaction, for bulk loads such as
// blogd seed. It skips the existence checks of the single-row methods: the
// caller knows its ids, and the foreign keys still hold.
type Batch struct {
	ctx context.Context
	c   conn
	now time.Time
}

// InBatch runs fn in one write transaction: all of its rows land, or none.
// Unlike single-row writes it is not retried after a deadlock, since fn
// usually keeps state of its own; the caller may run it again.
func (s *Store) InBatch(ctx context.Context, fn func(b *Batch) error) error {
	return s.tryTx(ctx, func(c conn) error {
		return fn(&Batch{ctx: ctx, c: c, now: s.timestamp()})
	})
}

// tick returns the batch's clock and moves it on by a microsecond, so that
// the rows of a batch, created in order, have distinct creation times, as
// rows created one by one would.
func (b *Batch) tick() time.Time {
	t := b.now
	b.now = b.now.Add(time.Microsecond)
	return t
}

func (b *Batch) insert(query string, args ...any) (int64, error) {
	var id int64
	if _, err := b.c.queryRow(b.ctx, query, args, &id); err != nil {
		return 0, fmt.Errorf("batch insert: %w", err)
	}
	return id, nil
}

// AddUser inserts a user with a password hash (empty: the user cannot sign
// in) and returns its id.
func (b *Batch) AddUser(in blogd.UserCreate, passwordHash string) (int64, error) {
	return b.insert(insertUser, in.Username, blogd.NormalizeEmail(in.Email), passwordHash, b.now, b.tick())
}

// AddProfile inserts a user's profile and returns its id.
func (b *Batch) AddProfile(userID int64, bio, location string) (int64, error) {
	return b.insert(insertProfile, userID, bio, location, b.now)
}

// AddCategory inserts a category and returns its id.
func (b *Batch) AddCategory(in blogd.CategoryCreate) (int64, error) {
	return b.insert("INSERT INTO categories (name, description, updated_at) VALUES (?, ?, ?) RETURNING id", in.Name, in.Description, b.now)
}

// AddRole inserts a role and returns its id.
func (b *Batch) AddRole(in blogd.RoleCreate) (int64, error) {
	return b.insert("INSERT INTO roles (name, description, updated_at) VALUES (?, ?, ?) RETURNING id", in.Name, in.Description, b.now)
}

// AssignRole links a user to a role.
func (b *Batch) AssignRole(userID, roleID int64) error {
	_, err := b.c.exec(b.ctx, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING", userID, roleID)
	return err
}

// AddPost inserts a post with its category links and returns its id.
func (b *Batch) AddPost(in blogd.PostCreate) (int64, error) {
	id, err := b.insert(insertPost,
		in.Title, in.Content, in.UserID, b.now, b.tick())
	if err != nil {
		return 0, err
	}
	if err := linkCategories(b.ctx, b.c, id, uniqueIDs(in.CategoryIDs), b.now); err != nil {
		return 0, fmt.Errorf("batch insert: %w", err)
	}
	return id, nil
}

// AddComment inserts a comment and returns its id.
func (b *Batch) AddComment(in blogd.CommentCreate) (int64, error) {
	return b.insert(insertComment, in.Content, in.PostID, in.UserID, in.ParentID, b.now, b.tick())
}
