package blogd

import "time"

// Comment belongs to a post and a user, and may reply to another comment of
// the same post (the self-referential relationship).
type Comment struct {
	ID        int64     `json:"id" example:"1"`
	Content   string    `json:"content" example:"Nice post."`
	PostID    int64     `json:"post_id" example:"1"`
	UserID    int64     `json:"user_id" example:"2"`
	ParentID  *int64    `json:"parent_id" example:"1" nullable:"true"`
	CreatedAt time.Time `json:"created_at" example:"2026-11-24T10:00:00Z"`
	UpdatedAt time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// CommentThread is a comment with its reply tree, nested down to a depth
// that the reader chooses (at most MaxThreadDepth levels).
type CommentThread struct {
	Comment
	Replies []*CommentThread `json:"replies" nullable:"false"`
	// MoreReplies is set on a comment at the deepest level served that has
	// replies of its own; they are read with GET /comments/{id}/replies.
	MoreReplies bool `json:"more_replies,omitempty" example:"false" doc:"true on a comment at the deepest level served whose replies were left out; read them from /comments/{id}/replies"`
}

// MaxThreadDepth bounds the levels of a comment tree served in one answer:
// reply chains can be thousands deep, and few JSON readers (or people)
// follow a nesting that deep.
const MaxThreadDepth = 100

// CommentCreate is the body of POST /comments. PostID is taken from the path
// on POST /posts/{id}/comments.
type CommentCreate struct {
	Content  string `json:"content" minLength:"1" maxLength:"10000" example:"Nice post."`
	PostID   int64  `json:"post_id" minimum:"1" maximum:"9007199254740991" example:"1"`
	UserID   int64  `json:"user_id,omitempty" minimum:"1" maximum:"9007199254740991" example:"2" doc:"the author; the caller when left out (only admins write for others)"`
	ParentID *int64 `json:"parent_id,omitempty" nullable:"true" minimum:"1" maximum:"9007199254740991" example:"1" doc:"the comment this one replies to; absent or null for a top-level comment"`
}

// PostCommentCreate is the body of POST /posts/{id}/comments: a comment
// whose post is named by the path.
type PostCommentCreate struct {
	Content  string `json:"content" minLength:"1" maxLength:"10000" example:"Nice post."`
	UserID   int64  `json:"user_id,omitempty" minimum:"1" maximum:"9007199254740991" example:"2" doc:"the author; the caller when left out (only admins write for others)"`
	ParentID *int64 `json:"parent_id,omitempty" nullable:"true" minimum:"1" maximum:"9007199254740991" example:"1" doc:"the comment this one replies to; absent or null for a top-level comment"`
}

// CommentUpdate is the body of PATCH /comments/{id}.
type CommentUpdate struct {
	Content *string `json:"content,omitempty" nullable:"false" minLength:"1" maxLength:"10000" example:"Nice post, edited."`
}

// Key is the position of the comment in a sorted list.
func (x Comment) Key() Key { return Key{ID: x.ID, CreatedAt: x.CreatedAt} }

// Updated is when the comment last changed: the version that a
// conditional write (If-Match) expects.
func (x Comment) Updated() time.Time { return x.UpdatedAt }

// The rows a comment names by id (its author, its post, the comment it
// replies to), so that comments that share one load it once.

// AuthorRef is the id of the comment's author.
func (x Comment) AuthorRef() (int64, bool) { return x.UserID, true }

// PostRef is the id of the post the comment is on.
func (x Comment) PostRef() (int64, bool) { return x.PostID, true }

// ParentRef is the id of the comment this one replies to; false for a
// top-level comment.
func (x Comment) ParentRef() (int64, bool) {
	if x.ParentID == nil {
		return 0, false
	}
	return *x.ParentID, true
}
