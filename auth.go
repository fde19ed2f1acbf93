package blogd

import "time"

// Caller is who makes a request: a user with a valid bearer token, and what
// their roles allow.
type Caller struct {
	User
	// Admin may do everything: manage categories and roles, assign roles,
	// write on behalf of any user.
	Admin bool
	// Moderator may edit and delete any post or comment.
	Moderator bool
	// TokenExpires is when the caller's token stops working.
	TokenExpires time.Time
}

// The names of the roles that carry permissions: the built-in roles, which
// can be neither renamed nor deleted.
const (
	RoleAdmin     = "admin"
	RoleModerator = "moderator"
)

// IsBuiltinRole reports whether name is one of the built-in roles.
func IsBuiltinRole(name string) bool { return name == RoleAdmin || name == RoleModerator }

// Credentials is what a user signs in with: the password's hash, never the
// password itself.
type Credentials struct {
	UserID       int64
	PasswordHash string
}

// Token is the answer to a successful POST /auth/token (OAuth2's password
// flow).
type Token struct {
	AccessToken string `json:"access_token" example:"q0lXr7cN3N1cV2bqV8mQxw2bW3k0t5oH9xRk3Yt4w6E"`
	TokenType   string `json:"token_type" example:"bearer" enum:"bearer"`
	ExpiresIn   int    `json:"expires_in" example:"3600" doc:"seconds until the token expires"`
}
