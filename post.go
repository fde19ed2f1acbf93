package blogd

import "time"

// Post belongs to one user (its author) and to many categories.
type Post struct {
	ID        int64     `json:"id" example:"1"`
	Title     string    `json:"title" example:"Relationships in Go"`
	Content   string    `json:"content" example:"One-to-many, many-to-many and more."`
	UserID    int64     `json:"user_id" example:"1"`
	CreatedAt time.Time `json:"created_at" example:"2026-11-24T10:00:00Z"`
	UpdatedAt time.Time `json:"updated_at" example:"2026-11-24T10:00:00Z" doc:"when it last changed"`
}

// PostWithRelations is a post with its author and categories eager-loaded.
type PostWithRelations struct {
	Post
	Author     Author        `json:"author"`
	Categories []CategoryRef `json:"categories" nullable:"false"`
}

// PostCreate is the body of POST /posts.
type PostCreate struct {
	Title       string  `json:"title" minLength:"1" maxLength:"200" example:"Relationships in Go"`
	Content     string  `json:"content" minLength:"1" maxLength:"100000" example:"One-to-many, many-to-many and more."`
	UserID      int64   `json:"user_id,omitempty" minimum:"1" maximum:"9007199254740991" example:"1" doc:"the author; the caller when left out (only admins write for others)"`
	CategoryIDs []int64 `json:"category_ids,omitempty" maxItems:"100" minimum:"1" maximum:"9007199254740991" example:"[1,2]" doc:"repeated ids count once"`
}

// PostUpdate is the body of PATCH /posts/{id}; absent fields stay as they are.
// CategoryIDs, when present, replaces the post's whole set of categories.
type PostUpdate struct {
	Title       *string  `json:"title,omitempty" nullable:"false" minLength:"1" maxLength:"200" example:"Relationships in Go, revised"`
	Content     *string  `json:"content,omitempty" nullable:"false" minLength:"1" maxLength:"100000" example:"Now with cascades."`
	CategoryIDs *[]int64 `json:"category_ids,omitempty" nullable:"false" maxItems:"100" minimum:"1" maximum:"9007199254740991" example:"[2,3]"`
}

// PostFilter narrows GET /posts. Zero fields do not filter.
type PostFilter struct {
	UserID     int64
	CategoryID int64
}

// Key is the position of the post in a sorted list.
func (x Post) Key() Key { return Key{ID: x.ID, CreatedAt: x.CreatedAt} }

// Updated is when the post last changed: the version that a
// conditional write (If-Match) expects.
func (x Post) Updated() time.Time { return x.UpdatedAt }

// AuthorRef is the id of the post's author: how a post names its author
// row, which a page of posts loads once per author, not once per post.
func (x Post) AuthorRef() (int64, bool) { return x.UserID, true }

// Bare is the post without its author and categories, for a read whose
// include names what to embed instead.
func (p PostWithRelations) Bare() Keyed { return p.Post }

// PostFound is a post that a search found, with author and categories, a
// snippet of its text around the words found, and its relevance.
type PostFound struct {
	PostWithRelations
	// Snippet is an excerpt with the words found in <mark></mark>, the
	// rest HTML-escaped.
	Snippet string `json:"snippet" example:"Use <mark>eager</mark> <mark>loading</mark> to avoid the N+1 &lt;problem&gt;…" doc:"with q: an excerpt around the words found, each in <mark></mark>, the rest HTML-escaped"`
	// Score is its relevance to the search: higher is better.
	Score float64 `json:"-"`
}

// Key is the post's position in a search's answer.
func (p PostFound) Key() Key {
	k := p.Post.Key()
	k.Score = p.Score
	return k
}

// Bare is the post found without its default author and categories.
func (p PostFound) Bare() Keyed { return PostHit{Post: p.Post, Snippet: p.Snippet, Score: p.Score} }

// PostHit is a post that a search found, without author and categories.
type PostHit struct {
	Post
	Snippet string  `json:"snippet" example:"Use <mark>eager</mark> <mark>loading</mark> to avoid the N+1 &lt;problem&gt;…"`
	Score   float64 `json:"-"`
}

// Key is the post's position in a search's answer.
func (p PostHit) Key() Key {
	k := p.Post.Key()
	k.Score = p.Score
	return k
}
