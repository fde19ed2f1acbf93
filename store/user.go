package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/blogd/blogd"
)

const insertUser = "INSERT INTO users (username, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id"

const userColumns = "u.id, u.username, u.email, tstext(u.created_at), tstext(u.updated_at)"

func scanUser(rows *sql.Rows, u *blogd.User) error {
	return rows.Scan(userDest(u)...)
}

// userDest is where a row of userColumns is scanned into.
func userDest(u *blogd.User) []any {
	return []any{&u.ID, &u.Username, &u.Email, ts(&u.CreatedAt), ts(&u.UpdatedAt)}
}

// CreateUser inserts a user with the hash of their password; a username or
// email taken in any case is a conflict. The email is stored in lower case.
func (s *Store) CreateUser(ctx context.Context, in blogd.UserCreate, passwordHash string) (blogd.User, error) {
	now := s.timestamp()
	u := blogd.User{Username: in.Username, Email: blogd.NormalizeEmail(in.Email), CreatedAt: now, UpdatedAt: now}
	err := s.inTx(ctx, func(c conn) error {
		_, err := c.queryRow(ctx, insertUser,
			[]any{u.Username, u.Email, passwordHash, now, now}, &u.ID)
		return err
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (blogd.User, error) {
	var u blogd.User
	ok, err := s.reader(ctx).queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id = ?", []any{id}, userDest(&u)...)
	if err != nil {
		return u, fmt.Errorf("get user %d: %w", id, err)
	}
	if !ok {
		return u, notFound(tableUsers)
	}
	return u, nil
}

// Users lists users. The category filter is the guide's explicit join:
// users with at least one post in the category, each once.
func (s *Store) Users(ctx context.Context, f blogd.UserFilter, p blogd.Page) (blogd.List[blogd.User], error) {
	if f.CategoryID != 0 && f.RoleID == 0 {
		return s.usersByCategory(ctx, f.CategoryID, p)
	}
	var fs filters
	fs.add(f.CategoryID, "u.id IN (SELECT pc.user_id FROM post_categories pc WHERE pc.category_id = ?)")
	fs.add(f.RoleID, "u.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role_id = ?)")
	l := listSpec{cols: userColumns, from: " FROM users u WHERE 1 = 1", id: "u.id"}
	fs.narrow(&l, pageUsers)
	users, err := runList(ctx, s.reader(ctx), l, p, scanUser)
	if err != nil {
		return users, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// usersByCategory is the explicit join of the guide, users with at least one
// post in the category, each once, read from the (category_id, user_id)
// index of post_categories: the page of distinct authors comes off the index
// in order and only its users are read, so the cost follows the page, not
// the number of posts in the category.
func (s *Store) usersByCategory(ctx context.Context, categoryID int64, p blogd.Page) (blogd.List[blogd.User], error) {
	c := s.reader(ctx)
	cond, condArgs, tail, tailArgs := pageSQL(p, "pc.user_id", "", "")
	if cond != "" {
		cond = " AND " + cond
	}
	order := " ORDER BY u.id"
	if p.Sort.Desc() {
		order += " DESC"
	}
	rows, err := queryList(ctx, c, scanUser, `SELECT `+userColumns+` FROM users u WHERE u.id IN (
			SELECT DISTINCT pc.user_id FROM post_categories pc WHERE pc.category_id = ?`+cond+tail+`)`+order,
		append(append([]any{categoryID}, condArgs...), tailArgs...)...)
	if err != nil {
		return blogd.List[blogd.User]{}, fmt.Errorf("list users of category %d: %w", categoryID, err)
	}
	users := pageOf(rows, p)
	if p.Count {
		if _, err := c.queryRow(ctx, "SELECT count(DISTINCT user_id) FROM post_categories WHERE category_id = ?",
			[]any{categoryID}, &users.Total); err != nil {
			return users, fmt.Errorf("count users of category %d: %w", categoryID, err)
		}
	}
	return users, nil
}

// UpdateUser changes the given fields of a user. A new password hash
// (when not nil) replaces the old one and ends every token of the user.
func (s *Store) UpdateUser(ctx context.Context, id int64, in blogd.UserUpdate, passwordHash *string) (blogd.User, error) {
	var u blogd.User
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		ok, err := c.queryRow(ctx, `UPDATE users SET username = COALESCE(?, username), email = COALESCE(?, email),
			password_hash = COALESCE(?, password_hash), updated_at = ?
			WHERE id = ?`+cond+` RETURNING id, username, email, created_at, updated_at`,
			append([]any{in.Username, normalizedEmail(in.Email), nullString(passwordHash), s.timestamp(), id}, condArgs...),
			userDest(&u)...)
		if err == nil && !ok {
			err = missingOrChanged(ctx, c, tableUsers, id)
		}
		if err == nil && passwordHash != nil {
			_, err = c.exec(ctx, "DELETE FROM tokens WHERE user_id = ?", id)
		}
		return err
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

// normalizedEmail is the stored form of an optional email.
func normalizedEmail(email *string) *string {
	if email == nil {
		return nil
	}
	e := blogd.NormalizeEmail(*email)
	return &e
}

// DeleteUser deletes a user. The database cascades to the user's profile,
// posts (and their category links and comments), comments (and every reply
// below them) and role links.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tableUsers, id, deleteCommentsOf(commentsOfUser))
}

// deleteByID deletes the row of table with id, or reports it missing.
// before, when not nil, runs first in the same transaction: a check that
// may refuse the delete, or rows to remove first.
func (s *Store) deleteByID(ctx context.Context, table string, id int64, before beforeWrite) error {
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		if before != nil {
			if err := before(ctx, c, id); err != nil {
				return err
			}
		}
		n, err := c.exec(ctx, "DELETE FROM "+table+" WHERE id = ?"+cond, append([]any{id}, condArgs...)...)
		if err == nil && n == 0 {
			err = missingOrChanged(ctx, c, table, id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", table, id, err)
	}
	return nil
}
