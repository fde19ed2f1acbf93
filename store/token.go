package store

import (
	"context"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

// Credentials returns the password hash of the user with username, in any
// case; ok is false when there is no such user.
func (s *Store) Credentials(ctx context.Context, username string) (c blogd.Credentials, ok bool, err error) {
	ok, err = s.primary().queryRow(ctx, "SELECT id, password_hash FROM users WHERE lower(username) = lower(?)", []any{username},
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
	ok, err = s.primary().queryRow(ctx, `SELECT u.id, u.username, u.email, u.created_at, u.updated_at, t.expires_at,
		EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ?),
		EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ?)
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
		[]any{blogd.RoleAdmin, blogd.RoleModerator, tokenHash},
		&c.ID, &c.Username, &c.Email, ts(&c.CreatedAt), ts(&c.UpdatedAt), ts(&c.TokenExpires), &c.Admin, &c.Moderator)
	if err != nil {
		return c, false, fmt.Errorf("token: %w", err)
	}
	return c, ok, nil
}
