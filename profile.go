package blogd

// Profile is the one-to-one extension of a user.
type Profile struct {
	ID       int64  `json:"id" example:"1"`
	UserID   int64  `json:"user_id" example:"1"`
	Bio      string `json:"bio" example:"Writes about engines."`
	Location string `json:"location" example:"London"`
}

// ProfileInput is the body of POST and PATCH /users/{id}/profile. On POST an
// absent field is stored empty; on PATCH it stays as it is.
type ProfileInput struct {
	Bio      *string `json:"bio,omitempty" nullable:"false" maxLength:"2000" example:"Writes about engines."`
	Location *string `json:"location,omitempty" nullable:"false" maxLength:"200" example:"London"`
}
