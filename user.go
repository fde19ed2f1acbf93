package blogd

import (
	"strings"
	"time"
)

// User is an account. A user has one profile, many posts, many comments and
// many roles.
type User struct {
	ID       int64  `json:"id" example:"1"`
	Username string `json:"username" example:"ada"`
	// Email is shown only to the user themself and to admins.
	Email     string    `json:"email,omitempty" example:"ada@example.com" doc:"shown only to the user themself and to admins"`
	CreatedAt time.Time `json:"created_at" example:"2026-11-24T10:00:00Z"`
	UpdatedAt time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// UserCreate is the body of POST /users.
type UserCreate struct {
	Username string `json:"username" minLength:"1" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" patternDescription:"letters, digits, _ . -" example:"ada"`
	Email    string `json:"email" format:"email" maxLength:"254" pattern:"^[^\\s<>()\\[\\],;:\"\\x00]+@[^\\s<>()\\[\\],;:\"@\\x00]+$" patternDescription:"a bare address such as ada@example.com, without a name or angle brackets" example:"ada@example.com" doc:"compared and stored in lower case"`
	Password string `json:"password" minLength:"8" maxLength:"256" example:"correct horse battery staple" doc:"stored only as a slow salted hash"`
}

// UserUpdate is the body of PATCH /users/{id}; absent fields stay as they are.
type UserUpdate struct {
	Username *string `json:"username,omitempty" nullable:"false" minLength:"1" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" patternDescription:"letters, digits, _ . -" example:"ada_l"`
	Email    *string `json:"email,omitempty" nullable:"false" format:"email" maxLength:"254" pattern:"^[^\\s<>()\\[\\],;:\"\\x00]+@[^\\s<>()\\[\\],;:\"@\\x00]+$" patternDescription:"a bare address such as ada@example.com, without a name or angle brackets" example:"ada@example.org"`
	// Password, when given, replaces the password and ends every token of
	// the user.
	Password *string `json:"password,omitempty" nullable:"false" minLength:"8" maxLength:"256" example:"another horse battery staple"`
	// CurrentPassword proves that whoever changes their own password knows
	// the old one: a stolen token alone cannot take the account over. An
	// admin resetting someone else's password needs none.
	CurrentPassword *string `json:"current_password,omitempty" nullable:"false" maxLength:"256" example:"correct horse battery staple" doc:"required with password when changing one's own password"`
}

// UserFilter narrows GET /users. Zero fields do not filter.
type UserFilter struct {
	// CategoryID keeps users who have at least one post in that category.
	CategoryID int64
	// RoleID keeps users who hold that role.
	RoleID int64
}

// Author is the short form of a user embedded in a post.
type Author struct {
	ID       int64  `json:"id" example:"1"`
	Username string `json:"username" example:"ada"`
}

// NormalizeEmail returns the form an address is stored and compared in:
// lower case, so that ALICE@example.com and alice@example.com are one
// account.
func NormalizeEmail(email string) string { return strings.ToLower(email) }

// Key is the position of the user in a sorted list.
func (x User) Key() Key { return Key{ID: x.ID, CreatedAt: x.CreatedAt} }

// Public is the user as anyone may see them: without the email, which
// only they and admins see.
func (x User) Public() User {
	x.Email = ""
	return x
}

// Updated is when the user last changed: the version that a
// conditional write (If-Match) expects.
func (x User) Updated() time.Time { return x.UpdatedAt }
