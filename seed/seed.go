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

// words is the vocabulary of the seed's texts, the most frequent first:
// English words of every kind, with the inflections (load, loads, loaded,
// loading) that a search stems, and the guide's technical terms, so that a
// search of the seeded data finds few posts or many, as on a real blog.
var words = strings.Fields(`the of and to a in is that for it with as was on be by this are at
	from or have an not but they which you one can all were we there when your their more has
	would what about so if will been into only other some time these could than then like them
	just two first new way also after use many over such how most because any work even well
	database query post comment user model table session index join relation category profile
	role schema column key data load loads loaded loading select selected insert inserted update
	updated delete deleted commit committed rollback cascade eager lazy lazily foreign primary
	many-to-many one-to-many relationship relationships association parent child children tree
	reply replies thread threads author authors page pages cursor cursors limit offset order
	fast faster slow slower speed performance latency cache cached caching memory disk write
	writes writing written read reads reading server servers client clients request requests
	response responses error errors test tests testing tested deploy deployed deploying release
	version migration migrations upgrade backup restore replica replicas primary failover lock
	locks locking transaction transactions isolation consistent consistency connection
	connections connect connected pool pooling batch batches group commit latency throughput
	python go golang sqlite postgresql postgres fastapi sqlalchemy pydantic router routers
	endpoint endpoints api http json schema validation valid invalid input output field fields
	type types struct function functions method methods package packages module modules library
	libraries framework frameworks pattern patterns design designs layout file files folder
	learn learned learning teach guide guides tutorial example examples problem problems
	solution solutions question questions answer answers idea ideas note notes lesson lessons
	run runs running ran build builds building built start started starting stop stopped
	measure measured measuring count counted counting search searched searching find found
	finding filter filtered filtering sort sorted sorting rank ranked ranking match matched
	simple simpler complex clear clearly careful carefully small smaller large larger real
	production service services team teams project projects user's people week year day today
	morning evening night coffee tea garden city river mountain travel travelled book books
	music friend friends family home kitchen recipe bread walk walked running shoes weather`)

var places = []string{"Berlin", "Lagos", "Lima", "Osaka", "Oslo", "Pune", "Quito", "Tunis"}

// sentence is between lo and hi words of the vocabulary, drawn with Zipf's
// law as a language's words are (a few very common, most rare), the first
// capitalized and a full stop at the end.
func sentence(rng *rand.Rand, lo, hi int) string {
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(words)-1))
	n := lo + rng.IntN(hi-lo+1)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[zipf.Uint64()]
	}
	parts[0] = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	return strings.Join(parts, " ") + "."
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
	sd := &seeder{ctx: ctx, st: st, spec: spec, progress: progress,
		rng:   rand.New(rand.NewPCG(spec.Seed, 0x5eed)),
		total: spec.Users + spec.Users*spec.PostsPerUser + spec.Users*spec.PostsPerUser*spec.CommentsPerPost}
	for _, step := range []func() error{sd.rolesAndCategories, sd.users, sd.posts, sd.comments} {
		if err := step(); err != nil {
			return sd.counts, err
		}
	}
	return sd.counts, nil
}

// seeder is one run of Run: what it has inserted so far, and the ids that
// later rows refer to.
type seeder struct {
	ctx      context.Context
	st       *store.Store
	spec     Spec
	progress Progress
	rng      *rand.Rand
	total    int // users, posts and comments to insert
	done     int // of them, inserted

	counts           Counts
	roleIDs, catIDs  []int64
	userIDs, postIDs []int64
}

// rolesAndCategories inserts the roles and categories: few, one batch.
func (sd *seeder) rolesAndCategories() error {
	p := sd.spec.Prefix
	err := sd.st.InBatch(sd.ctx, func(b *store.Batch) error {
		for i := range sd.spec.Roles {
			id, err := b.AddRole(blogd.RoleCreate{Name: fmt.Sprintf("%srole%03d", p, i), Description: fmt.Sprintf("Role number %d", i)})
			if err != nil {
				return err
			}
			sd.roleIDs = append(sd.roleIDs, id)
		}
		for i := range sd.spec.Categories {
			id, err := b.AddCategory(blogd.CategoryCreate{Name: fmt.Sprintf("%scategory%03d", p, i), Description: sentence(sd.rng, 3, 8)})
			if err != nil {
				return err
			}
			sd.catIDs = append(sd.catIDs, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed roles and categories: %w", err)
	}
	sd.counts.Roles, sd.counts.Categories = len(sd.roleIDs), len(sd.catIDs)
	return nil
}

// batches runs add for 0..n-1, committing every spec.BatchSize rows, and
// reports the progress after each batch.
func (sd *seeder) batches(what string, n int, add func(b *store.Batch, i int) (rows int, err error)) error {
	for start := 0; start < n; {
		end := start
		err := sd.st.InBatch(sd.ctx, func(b *store.Batch) error {
			rows := 0
			for end = start; end < n && rows < sd.spec.BatchSize; end++ {
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
		sd.done += end - start
		sd.progress(sd.done, sd.total)
		start = end
	}
	return nil
}

// users inserts the users, each with a profile and one or two roles.
func (sd *seeder) users() error {
	sd.userIDs = make([]int64, 0, sd.spec.Users)
	return sd.batches("users", sd.spec.Users, func(b *store.Batch, i int) (int, error) {
		name := fmt.Sprintf("%suser%06d", sd.spec.Prefix, i)
		id, err := b.AddUser(blogd.UserCreate{Username: name, Email: name + "@example.com"}, "")
		if err != nil {
			return 0, err
		}
		sd.userIDs = append(sd.userIDs, id)
		if _, err := b.AddProfile(id, sentence(sd.rng, 5, 15), places[sd.rng.IntN(len(places))]); err != nil {
			return 0, err
		}
		sd.counts.Users++
		sd.counts.Profiles++
		rows := 2
		if len(sd.roleIDs) > 0 {
			mine := []int64{sd.roleIDs[i%len(sd.roleIDs)]}
			if sd.rng.Float64() < 0.3 {
				if r := sd.roleIDs[sd.rng.IntN(len(sd.roleIDs))]; r != mine[0] {
					mine = append(mine, r)
				}
			}
			for _, r := range mine {
				if err := b.AssignRole(id, r); err != nil {
					return 0, err
				}
			}
			sd.counts.UserRoles += len(mine)
			rows += len(mine)
		}
		return rows, nil
	})
}

// posts inserts every user's posts, each in one to three categories.
func (sd *seeder) posts() error {
	perUser := max(1, sd.spec.PostsPerUser)
	sd.postIDs = make([]int64, 0, sd.spec.Users*sd.spec.PostsPerUser)
	return sd.batches("posts", sd.spec.Users*sd.spec.PostsPerUser, func(b *store.Batch, k int) (int, error) {
		i, j := k/perUser, k%perUser
		var picked []int64
		if len(sd.catIDs) > 0 {
			n := 1 + sd.rng.IntN(min(3, len(sd.catIDs)))
			for _, x := range sd.rng.Perm(len(sd.catIDs))[:n] {
				picked = append(picked, sd.catIDs[x])
			}
		}
		id, err := b.AddPost(blogd.PostCreate{
			Title:   fmt.Sprintf("Post %d-%d: %s", i, j, sentence(sd.rng, 2, 6)),
			Content: sentence(sd.rng, 20, 80), UserID: sd.userIDs[i], CategoryIDs: picked,
		})
		if err != nil {
			return 0, err
		}
		sd.postIDs = append(sd.postIDs, id)
		sd.counts.Posts++
		sd.counts.PostCategories += len(picked)
		return 1 + len(picked), nil
	})
}

// comments inserts every post's comments, post by post: a reply points at
// an earlier comment of its post.
func (sd *seeder) comments() error {
	perPost := sd.spec.CommentsPerPost
	last := make([]int64, perPost) // the current post's comments so far
	return sd.batches("comments", len(sd.postIDs)*perPost, func(b *store.Batch, k int) (int, error) {
		// One call per comment; a post's comments are consecutive.
		in := blogd.CommentCreate{Content: sentence(sd.rng, 4, 30), PostID: sd.postIDs[k/perPost],
			UserID: sd.userIDs[sd.rng.IntN(len(sd.userIDs))]}
		if first := k - k%perPost; k > first && sd.rng.Float64() < sd.spec.ReplyRatio {
			parent := last[sd.rng.IntN(k-first)]
			in.ParentID = &parent
			sd.counts.Replies++
		}
		id, err := b.AddComment(in)
		if err != nil {
			return 0, err
		}
		last[k%perPost] = id
		sd.counts.Comments++
		return 1, nil
	})
}
