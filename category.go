package blogd

import "time"

// Category groups posts; a post has many categories and a category many posts.
type Category struct {
	ID          int64     `json:"id" example:"1"`
	Name        string    `json:"name" example:"databases"`
	Description string    `json:"description" example:"Posts about storing things."`
	UpdatedAt   time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// CategoryRef is the short form of a category embedded in a post.
type CategoryRef struct {
	ID   int64  `json:"id" example:"1"`
	Name string `json:"name" example:"databases"`
}

// LinkedCategory is a category as seen from one post: the association row's
// created_at is exposed as linked_at.
type LinkedCategory struct {
	Category
	LinkedAt time.Time `json:"linked_at" example:"2026-11-24T10:00:00Z"`
}

// CategoryCreate is the body of POST /categories (and POST /roles).
type CategoryCreate struct {
	Name        string `json:"name" minLength:"1" maxLength:"100" example:"databases"`
	Description string `json:"description,omitempty" maxLength:"1000" example:"Posts about storing things."`
}

// CategoryUpdate is the body of PATCH /categories/{id} (and PATCH
// /roles/{id}); absent fields stay as they are.
type CategoryUpdate struct {
	Name        *string `json:"name,omitempty" nullable:"false" minLength:"1" maxLength:"100" example:"storage"`
	Description *string `json:"description,omitempty" nullable:"false" maxLength:"1000" example:"Posts about keeping things."`
}

// Key is the position of the category in a sorted list.
func (x Category) Key() Key { return Key{ID: x.ID} }

// Updated is when the category last changed: the version that a
// conditional write (If-Match) expects.
func (x Category) Updated() time.Time { return x.UpdatedAt }
