package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

const insertProfile = "INSERT INTO profiles (user_id, bio, location, updated_at) VALUES (?, ?, ?, ?) RETURNING id"

var errNoProfile = blogd.ErrProfileNotFound

// Profile returns a user's profile: the one-to-one relationship, read with a
// LEFT JOIN so that one statement tells a missing user from a missing profile.
func (s *Store) Profile(ctx context.Context, userID int64) (blogd.Profile, error) {
	var uid int64
	var id sql.NullInt64
	var bio, loc sql.NullString
	var updated time.Time
	ok, err := s.reader(ctx).queryRow(ctx, `SELECT u.id, p.id, p.bio, p.location, tstext(p.updated_at)
		FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = ?`,
		[]any{userID}, &uid, &id, &bio, &loc, ts(&updated))
	switch {
	case err != nil:
		return blogd.Profile{}, fmt.Errorf("get profile of user %d: %w", userID, err)
	case !ok:
		return blogd.Profile{}, notFound(tableUsers)
	case !id.Valid:
		return blogd.Profile{}, errNoProfile
	}
	return blogd.Profile{ID: id.Int64, UserID: uid, Bio: bio.String, Location: loc.String, UpdatedAt: updated}, nil
}

// CreateProfile gives a user a profile; a second one is a conflict.
func (s *Store) CreateProfile(ctx context.Context, userID int64, in blogd.ProfileInput) (blogd.Profile, error) {
	p := blogd.Profile{UserID: userID, UpdatedAt: s.timestamp()}
	if in.Bio != nil {
		p.Bio = *in.Bio
	}
	if in.Location != nil {
		p.Location = *in.Location
	}
	err := s.inTx(ctx, func(c conn) error {
		if err := mustExist(ctx, c, tableUsers, userID); err != nil {
			return err
		}
		_, err := c.queryRow(ctx, insertProfile,
			[]any{userID, p.Bio, p.Location, p.UpdatedAt}, &p.ID)
		return err
	})
	if err != nil {
		return blogd.Profile{}, fmt.Errorf("create profile of user %d: %w", userID, err)
	}
	return p, nil
}

// UpdateProfile changes the given fields of a user's profile.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, in blogd.ProfileInput) (blogd.Profile, error) {
	var p blogd.Profile
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		ok, err := c.queryRow(ctx, `UPDATE profiles SET bio = COALESCE(?, bio), location = COALESCE(?, location),
			updated_at = ? WHERE user_id = ?`+cond+` RETURNING id, user_id, bio, location, updated_at`,
			append([]any{in.Bio, in.Location, s.timestamp(), userID}, condArgs...),
			&p.ID, &p.UserID, &p.Bio, &p.Location, ts(&p.UpdatedAt))
		if err == nil && !ok {
			err = profileMissing(ctx, c, userID)
		}
		return err
	})
	if err != nil {
		return blogd.Profile{}, fmt.Errorf("update profile of user %d: %w", userID, err)
	}
	return p, nil
}

// DeleteProfile deletes a user's profile.
func (s *Store) DeleteProfile(ctx context.Context, userID int64) error {
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		n, err := c.exec(ctx, "DELETE FROM profiles WHERE user_id = ?"+cond, append([]any{userID}, condArgs...)...)
		if err == nil && n == 0 {
			err = profileMissing(ctx, c, userID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete profile of user %d: %w", userID, err)
	}
	return nil
}

// profileMissing says why a write matched no profile row of a user: no
// user, no profile, or (under IfUnchanged) a profile that has changed.
func profileMissing(ctx context.Context, c conn, userID int64) error {
	if err := mustExist(ctx, c, tableUsers, userID); err != nil {
		return err
	}
	var one int
	ok, err := c.queryRow(ctx, "SELECT 1 FROM profiles WHERE user_id = ?", []any{userID}, &one)
	switch {
	case err != nil:
		return err
	case !ok:
		return errNoProfile
	}
	return blogd.ErrProfileChanged
}
