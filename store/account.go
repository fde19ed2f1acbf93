package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// CreateUserWithRole creates a user and gives them the named role, creating
// the role if it does not exist yet, in one transaction: the way the first
// admin is made (blogd user create --admin).
func (s *Store) CreateUserWithRole(ctx context.Context, in blogd.UserCreate, passwordHash, role string) (blogd.User, error) {
	now := s.timestamp()
	u := blogd.User{Username: in.Username, Email: blogd.NormalizeEmail(in.Email), CreatedAt: now, UpdatedAt: now}
	err := s.inTx(ctx, func(c conn) error {
		if _, err := c.queryRow(ctx, insertUser, []any{u.Username, u.Email, passwordHash, now, now}, &u.ID); err != nil {
			return err
		}
		if role == "" {
			return nil
		}
		return grantRole(ctx, c, u.ID, role, now)
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("create user %q: %w", in.Username, err)
	}
	return u, nil
}

// GrantRole gives the user with username (in any case) the named role,
// creating the role if it does not exist yet: the way back for an
// operator whose admins lost their role (blogd user grant). It returns the
// user.
func (s *Store) GrantRole(ctx context.Context, username, role string) (blogd.User, error) {
	u, err := s.changeUser(ctx, username, func(c conn, id int64) error {
		return grantRole(ctx, c, id, role, s.timestamp())
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("grant role %q to %q: %w", role, username, err)
	}
	return u, nil
}

// SetPassword replaces the password hash of the user with username (in any
// case) and ends every token of the user (blogd user password). It returns
// the user.
func (s *Store) SetPassword(ctx context.Context, username, passwordHash string) (blogd.User, error) {
	u, err := s.changeUser(ctx, username, func(c conn, id int64) error {
		if _, err := c.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", passwordHash, s.timestamp(), id); err != nil {
			return err
		}
		_, err := c.exec(ctx, "DELETE FROM tokens WHERE user_id = ?", id)
		return err
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("set the password of %q: %w", username, err)
	}
	return u, nil
}

// changeUser runs change on the user with username, in any case, in one
// transaction, and returns the user.
func (s *Store) changeUser(ctx context.Context, username string, change func(c conn, id int64) error) (blogd.User, error) {
	var u blogd.User
	err := s.inTx(ctx, func(c conn) error {
		var err error
		if u, err = userByName(ctx, c, username); err != nil {
			return err
		}
		return change(c, u.ID)
	})
	return u, err
}

// userByName reads the user with username, in any case.
func userByName(ctx context.Context, c conn, username string) (blogd.User, error) {
	var u blogd.User
	ok, err := c.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE lower(u.username) = lower(?)",
		[]any{username}, userDest(&u)...)
	if err == nil && !ok {
		err = notFound(tableUsers)
	}
	return u, err
}

// grantRole links user id to the named role, creating the role (at now) if
// needed.
func grantRole(ctx context.Context, c conn, userID int64, role string, now time.Time) error {
	var roleID int64
	ok, err := c.queryRow(ctx, "SELECT id FROM roles WHERE name = ?", []any{role}, &roleID)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := c.queryRow(ctx, "INSERT INTO roles (name, description, updated_at) VALUES (?, ?, ?) RETURNING id",
			[]any{role, "created by blogd user", now}, &roleID); err != nil {
			return err
		}
	}
	_, err = c.exec(ctx, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING", userID, roleID)
	return err
}
