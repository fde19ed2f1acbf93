// Package seed fills a blogd database with a realistic, deterministic demo
// dataset: the same shape and sizes as the load harness's default (200 users
// with profiles and roles, 20 categories, 2,000 posts, 10,000 comments of
// which about half are replies). The same Spec always gives the same rows.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/store"
)

// Spec sizes the dataset. Seeded users have no password: they cannot sign
// in (create accounts to sign in with through the API or blogd user create).
type Spec struct {
	Seed            uint64  // the dataset is a pure function of Spec
	Users           int     // each with a profile and one or two roles
	PostsPerUser    int     // each post in 1..3 categories
	Categories      int     //
	CommentsPerPost int     //
	ReplyRatio      float64 // chance that a comment (not a post's first) replies to an earlier one
	Roles           int     //
	Prefix          string  // prepended to unique names, to seed a database twice
	BatchSize       int     // rows per transaction
}

// DefaultSpec is the load harness's default dataset.
func DefaultSpec() Spec {
	return Spec{Seed: 42, Users: 200, PostsPerUser: 10, Categories: 20, CommentsPerPost: 5,
		ReplyRatio: 0.5, Roles: 4, BatchSize: 1000}
}

// Counts is what a run inserted.
type Counts struct {
	Roles, Categories, Users, Profiles, UserRoles, Posts, PostCategories, Comments, Replies int
}

// Total is the number of rows of Counts.
func (c Counts) Total() int {
	return c.Roles + c.Categories + c.Users + c.Profiles + c.UserRoles + c.Posts + c.PostCategories + c.Comments
}

// String lists the counts, as "users=200, posts=2000, ...".
func (c Counts) String() string {
	return fmt.Sprintf("roles=%d, categories=%d, users=%d, profiles=%d, user_roles=%d, posts=%d, "+
		"post_categories=%d, comments=%d, replies=%d", c.Roles, c.Categories, c.Users, c.Profiles,
		c.UserRoles, c.Posts, c.PostCategories, c.Comments, c.Replies)
}

// Progress is told, after each committed batch, how many of the entities
// (users, posts and comments) are done.
type Progress func(done, total int)

var words = strings.Fields(`alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
	omicron pi rho sigma tau upsilon phi chi psi omega sqlite fastapi sqlalchemy relation join cascade
	index query session model schema router post comment reply category profile user role table column
	foreign primary key eager lazy load select insert update delete commit rollback`)

var places = []string{"Berlin", "Lagos", "Lima", "Osaka", "Oslo", "Pune", "Quito", "Tunis"}

func sentence(rng *rand.Rand, lo, hi int) string {
	n := lo + rng.IntN(hi-lo+1)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

// Validate reports a Spec that cannot be run.
func (s Spec) Validate() error {
	switch {
	case s.Users < 0 || s.PostsPerUser < 0 || s.Categories < 0 || s.CommentsPerPost < 0 || s.Roles < 0:
		return fmt.Errorf("seed: sizes must not be negative")
	case s.ReplyRatio < 0 || s.ReplyRatio > 1:
		return fmt.Errorf("seed: reply ratio %v is not between 0 and 1", s.ReplyRatio)
	case s.BatchSize < 1:
		return fmt.Errorf("seed: batch size must be at least 1")
	}
	return nil
}

// Run inserts the dataset of spec, in transactions of spec.BatchSize rows.
// A failure leaves the batches committed before it.
func Run(ctx context.Context, st *store.Store, spec Spec, progress Progress) (Counts, error) {
	if err := spec.Validate(); err != nil {
		return Counts{}, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	var c Counts
	total := spec.Users + spec.Users*spec.PostsPerUser + spec.Users*spec.PostsPerUser*spec.CommentsPerPost
	done := 0
	p := spec.Prefix

	// Roles and categories: few, one batch.
	var roles, cats []int64
	err := st.InBatch(ctx, func(b *store.Batch) error {
		for i := range spec.Roles {
			id, err := b.AddRole(blogd.RoleCreate{Name: fmt.Sprintf("%srole%03d", p, i), Description: fmt.Sprintf("Role number %d", i)})
			if err != nil {
				return err
			}
			roles = append(roles, id)
		}
		for i := range spec.Categories {
			id, err := b.AddCategory(blogd.CategoryCreate{Name: fmt.Sprintf("%scategory%03d", p, i), Description: sentence(rng, 3, 8)})
			if err != nil {
				return err
			}
			cats = append(cats, id)
		}
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("seed roles and categories: %w", err)
	}
	c.Roles, c.Categories = len(roles), len(cats)

	// batches runs add for 0..n-1, committing every spec.BatchSize rows.
	batches := func(what string, n int, add func(b *store.Batch, i int) (rows int, err error)) error {
		for start := 0; start < n; {
			end := start
			err := st.InBatch(ctx, func(b *store.Batch) error {
				rows := 0
				for end = start; end < n && rows < spec.BatchSize; end++ {
					r, err := add(b, end)
					if err != nil {
						return err
					}
					rows += r
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("seed %s: %w", what, err)
			}
			done += end - start
			progress(done, total)
			start = end
		}
		return nil
	}

	users := make([]int64, 0, spec.Users)
	err = batches("users", spec.Users, func(b *store.Batch, i int) (int, error) {
		name := fmt.Sprintf("%suser%06d", p, i)
		id, err := b.AddUser(blogd.UserCreate{Username: name, Email: name + "@example.com"}, "")
		if err != nil {
			return 0, err
		}
		users = append(users, id)
		if _, err := b.AddProfile(id, sentence(rng, 5, 15), places[rng.IntN(len(places))]); err != nil {
			return 0, err
		}
		c.Users++
		c.Profiles++
		rows := 2
		if len(roles) > 0 {
			mine := []int64{roles[i%len(roles)]}
			if rng.Float64() < 0.3 {
				if r := roles[rng.IntN(len(roles))]; r != mine[0] {
					mine = append(mine, r)
				}
			}
			for _, r := range mine {
				if err := b.AssignRole(id, r); err != nil {
					return 0, err
				}
			}
			c.UserRoles += len(mine)
			rows += len(mine)
		}
		return rows, nil
	})
	if err != nil {
		return c, err
	}

	posts := make([]int64, 0, spec.Users*spec.PostsPerUser)
	err = batches("posts", spec.Users*spec.PostsPerUser, func(b *store.Batch, k int) (int, error) {
		i, j := k/max(1, spec.PostsPerUser), k%max(1, spec.PostsPerUser)
		var picked []int64
		if len(cats) > 0 {
			n := 1 + rng.IntN(min(3, len(cats)))
			for _, x := range rng.Perm(len(cats))[:n] {
				picked = append(picked, cats[x])
			}
		}
		id, err := b.AddPost(blogd.PostCreate{
			Title:   fmt.Sprintf("Post %d-%d: %s", i, j, sentence(rng, 2, 6)),
			Content: sentence(rng, 20, 80), UserID: users[i], CategoryIDs: picked,
		})
		if err != nil {
			return 0, err
		}
		posts = append(posts, id)
		c.Posts++
		c.PostCategories += len(picked)
		return 1 + len(picked), nil
	})
	if err != nil {
		return c, err
	}

	// Comments, post by post: a reply points at an earlier comment of its post.
	lastComments := make([]int64, spec.CommentsPerPost) // the current post's comments so far
	err = batches("comments", len(posts)*spec.CommentsPerPost, func(b *store.Batch, k int) (int, error) {
		// One call per comment; a post's comments are consecutive.
		post := posts[k/spec.CommentsPerPost]
		in := blogd.CommentCreate{Content: sentence(rng, 4, 30), PostID: post, UserID: users[rng.IntN(len(users))]}
		if first := k - k%spec.CommentsPerPost; k > first && rng.Float64() < spec.ReplyRatio {
			parent := lastComments[rng.IntN(k-first)]
			in.ParentID = &parent
			c.Replies++
		}
		id, err := b.AddComment(in)
		if err != nil {
			return 0, err
		}
		lastComments[k%spec.CommentsPerPost] = id
		c.Comments++
		return 1, nil
	})
	return c, err
}
