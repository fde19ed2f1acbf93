package blogd

import "time"

// Role is a named set of permissions; a user has many roles and a role many
// users. It has the same shape as a category.
type Role struct {
	ID          int64     `json:"id" example:"1"`
	Name        string    `json:"name" example:"moderator"`
	Description string    `json:"description" example:"May edit any post or comment."`
	UpdatedAt   time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// RoleCreate is the body of POST /roles; it has the fields of CategoryCreate.
type RoleCreate CategoryCreate

// RoleUpdate is the body of PATCH /roles/{id}; it has the fields of
// CategoryUpdate.
type RoleUpdate CategoryUpdate

// Key is the position of the role in a sorted list.
func (x Role) Key() Key { return Key{ID: x.ID} }

// Updated is when the role last changed: the version that a
// conditional write (If-Match) expects.
func (x Role) Updated() time.Time { return x.UpdatedAt }
