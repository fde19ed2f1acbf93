package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// Credentials returns the password hash of the user with username, in any
// case; ok is false when there is no such user.
func (s *Store) Credentials(ctx context.Context, username string) (c blogd.Credentials, ok bool, err error) {
	ok, err = s.reader().queryRow(ctx, "SELECT id, password_hash FROM users WHERE lower(username) = lower(?)", []any{username},
		&c.UserID, &c.PasswordHash)
	if err != nil {
		return c, false, fmt.Errorf("credentials of %q: %w", username, err)
	}
	return c, ok, nil
}

// CreateToken stores a token (its hash) for a user until expires, and drops
// the user's expired tokens.
func (s *Store) CreateToken(ctx context.Context, userID int64, tokenHash string, expires time.Time) error {
	now := s.timestamp()
	err := s.inTx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "DELETE FROM tokens WHERE user_id = ? AND expires_at < ?", userID, now); err != nil {
			return err
		}
		_, err := c.exec(ctx, "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			tokenHash, userID, now, expires.UTC().Truncate(time.Microsecond))
		return err
	})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// Caller returns the user whose token has tokenHash, with the roles that
// carry permissions, in one statement. ok is false for an unknown (or
// revoked) token; the caller checks TokenExpires.
func (s *Store) Caller(ctx context.Context, tokenHash string) (c blogd.Caller, ok bool, err error) {
	ok, err = s.reader().queryRow(ctx, `SELECT u.id, u.username, u.email, u.created_at, t.expires_at,
		EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ?),
		EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ?)
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
		[]any{blogd.RoleAdmin, blogd.RoleModerator, tokenHash},
		&c.ID, &c.Username, &c.Email, ts(&c.CreatedAt), ts(&c.TokenExpires), &c.Admin, &c.Moderator)
	if err != nil {
		return c, false, fmt.Errorf("token: %w", err)
	}
	return c, ok, nil
}

// PostAuthor returns the user_id of a post.
func (s *Store) PostAuthor(ctx context.Context, postID int64) (int64, error) {
	return s.ownerOf(ctx, tablePosts, postID)
}

// CommentAuthor returns the user_id of a comment.
func (s *Store) CommentAuthor(ctx context.Context, commentID int64) (int64, error) {
	return s.ownerOf(ctx, tableComments, commentID)
}

func (s *Store) ownerOf(ctx context.Context, table string, id int64) (int64, error) {
	var owner int64
	ok, err := s.reader().queryRow(ctx, "SELECT user_id FROM "+table+" WHERE id = ?", []any{id}, &owner)
	if err != nil {
		return 0, fmt.Errorf("owner of %s %d: %w", table, id, err)
	}
	if !ok {
		return 0, notFound(table)
	}
	return owner, nil
}

// CreateUserWithRole creates a user and gives them the named role, creating
// the role if it does not exist yet, in one transaction: the way the first
// admin is made (blogd user create --admin).
func (s *Store) CreateUserWithRole(ctx context.Context, in blogd.UserCreate, passwordHash, role string) (blogd.User, error) {
	u := blogd.User{Username: in.Username, Email: blogd.NormalizeEmail(in.Email), CreatedAt: s.timestamp()}
	err := s.inTx(ctx, func(c conn) error {
		if _, err := c.queryRow(ctx, insertUser, []any{u.Username, u.Email, passwordHash, u.CreatedAt}, &u.ID); err != nil {
			return err
		}
		if role == "" {
			return nil
		}
		return grantRole(ctx, c, u.ID, role)
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
	var u blogd.User
	err := s.inTx(ctx, func(c conn) error {
		var err error
		if u, err = userByName(ctx, c, username); err != nil {
			return err
		}
		return grantRole(ctx, c, u.ID, role)
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
	var u blogd.User
	err := s.inTx(ctx, func(c conn) error {
		var err error
		if u, err = userByName(ctx, c, username); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", passwordHash, u.ID); err != nil {
			return err
		}
		_, err = c.exec(ctx, "DELETE FROM tokens WHERE user_id = ?", u.ID)
		return err
	})
	if err != nil {
		return blogd.User{}, fmt.Errorf("set the password of %q: %w", username, err)
	}
	return u, nil
}

// userByName reads the user with username, in any case.
func userByName(ctx context.Context, c conn, username string) (blogd.User, error) {
	var u blogd.User
	ok, err := c.queryRow(ctx, "SELECT id, username, email, created_at FROM users WHERE lower(username) = lower(?)",
		[]any{username}, &u.ID, &u.Username, &u.Email, ts(&u.CreatedAt))
	if err == nil && !ok {
		err = notFound(tableUsers)
	}
	return u, err
}

// grantRole links user id to the named role, creating the role if needed.
func grantRole(ctx context.Context, c conn, userID int64, role string) error {
	var roleID int64
	ok, err := c.queryRow(ctx, "SELECT id FROM roles WHERE name = ?", []any{role}, &roleID)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := c.queryRow(ctx, "INSERT INTO roles (name, description) VALUES (?, ?) RETURNING id",
			[]any{role, "created by blogd user"}, &roleID); err != nil {
			return err
		}
	}
	_, err = c.exec(ctx, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING", userID, roleID)
	return err
}

// nullString is a *string argument: NULL when nil.
func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}
