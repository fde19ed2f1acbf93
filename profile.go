package blogd

import "time"

// Profile is the one-to-one extension of a user.
type Profile struct {
	ID        int64     `json:"id" example:"1"`
	UserID    int64     `json:"user_id" example:"1"`
	Bio       string    `json:"bio" example:"Writes about engines."`
	Location  string    `json:"location" example:"London"`
	UpdatedAt time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// ProfileInput is the body of POST and PATCH /users/{id}/profile. On POST an
// absent field is stored empty; on PATCH it stays as it is.
type ProfileInput struct {
	Bio      *string `json:"bio,omitempty" nullable:"false" maxLength:"2000" example:"Writes about engines."`
	Location *string `json:"location,omitempty" nullable:"false" maxLength:"200" example:"London"`
}

// Updated is when the profile last changed: the version that a
// conditional write (If-Match) expects.
func (x Profile) Updated() time.Time { return x.UpdatedAt }

// Key is the position of the profile in a sorted list.
func (x Profile) Key() Key { return Key{ID: x.ID} }
