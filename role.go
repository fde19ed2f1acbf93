package blogd

// Role is a named set of permissions; a user has many roles and a role many
// users. It has the same shape as a category.
type Role struct {
	ID          int64  `json:"id" example:"1"`
	Name        string `json:"name" example:"moderator"`
	Description string `json:"description" example:"May edit any post or comment."`
}

// RoleCreate is the body of POST /roles; it has the fields of CategoryCreate.
type RoleCreate CategoryCreate

// RoleUpdate is the body of PATCH /roles/{id}; it has the fields of
// CategoryUpdate.
type RoleUpdate CategoryUpdate

// Key is the position of the role in a sorted list.
func (x Role) Key() Key { return Key{ID: x.ID} }
