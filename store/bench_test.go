package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/seed"
	"github.com/blogd/blogd/store"
)

// The hot paths of the load harness's scenarios, on the harness's default
// dataset (blogd seed: 200 users, 2,000 posts, 10,000 comments) in SQLite.
// Compare a change with benchstat:
//
//	go test ./store -run '^$' -bench . -count 10 > old.txt   # before
//	go test ./store -run '^$' -bench . -count 10 > new.txt   # after
//	go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt
//
// Speed is never asserted; these only measure.

func benchStore(b *testing.B) (*store.Store, seed.Counts) {
	b.Helper()
	return testdb.Seeded(b)
}

func BenchmarkReads(b *testing.B) {
	st, n := benchStore(b)
	// Cancellable, as a request's context is: a background context would
	// hide the goroutine database/sql starts to watch a cancellable one.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	page := blogd.Page{Limit: 100}
	cases := []struct {
		name string
		read func(i int64) error
	}{
		{"User", func(i int64) error { _, err := st.User(ctx, 1+i%int64(n.Users)); return err }},
		{"Profile", func(i int64) error { _, err := st.Profile(ctx, 1+i%int64(n.Users)); return err }},
		{"UserPosts", func(i int64) error { _, err := st.UserPosts(ctx, 1+i%int64(n.Users), page); return err }},
		{"Post", func(i int64) error { _, err := st.Post(ctx, 1+i%int64(n.Posts)); return err }},
		{"PostsPage20", func(i int64) error {
			_, err := st.Posts(ctx, blogd.PostFilter{}, blogd.Page{Skip: int(i*37) % (n.Posts - 20), Limit: 20})
			return err
		}},
		{"Replies", func(i int64) error { _, err := st.Replies(ctx, 1+i%int64(n.Comments), page); return err }},
		{"UsersByCategory", func(i int64) error {
			_, err := st.Users(ctx, blogd.UserFilter{CategoryID: 1 + i%int64(n.Categories)}, page)
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var i atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.read(i.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkPostsCursor reads a page of 20 posts by cursor at the start and
// at the end of the list, in each order: a keyset page costs the same at
// any depth (compare First with Last, at BLOGD_BENCH_SCALE=10 too).
func BenchmarkPostsCursor(b *testing.B) {
	st, _ := benchStore(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The row 21 from the end, in each order: the last page starts after it.
	fromEnd := func(sort blogd.Sort) *blogd.Key {
		l, err := st.Posts(ctx, blogd.PostFilter{}, blogd.Page{Limit: 21, Sort: sort})
		if err != nil || len(l.Items) < 21 {
			b.Fatal(err)
		}
		k := l.Items[20].Key()
		return &k
	}
	for _, c := range []struct {
		name string
		page blogd.Page
	}{
		{"First", blogd.Page{Limit: 20, After: &blogd.Key{ID: 0}}},
		{"Last", blogd.Page{Limit: 20, After: fromEnd(blogd.SortIDDesc)}},
		{"FirstByTime", blogd.Page{Limit: 20, Sort: blogd.SortCreatedAt, After: &blogd.Key{}}},
		{"LastByTime", blogd.Page{Limit: 20, Sort: blogd.SortCreatedAt, After: fromEnd(blogd.SortCreatedAtDesc)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := st.Posts(ctx, blogd.PostFilter{}, c.page); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkCreatePost runs concurrent writers, as the harness's create_post
// does: on SQLite they share commits (group commit), each commit one fsync.
func BenchmarkCreatePost(b *testing.B) {
	st, n := benchStore(b)
	benchWrites(b, func(ctx context.Context, k int64) error {
		_, err := st.CreatePost(ctx, blogd.PostCreate{Title: "bench", Content: "benchmark content",
			UserID: 1 + k%int64(n.Users), CategoryIDs: []int64{1 + k%int64(n.Categories), 1 + (k+1)%int64(n.Categories)}})
		return err
	})
}

// BenchmarkCreateComment is the harness's create_comment: a top-level
// comment on a post, by concurrent writers.
func BenchmarkCreateComment(b *testing.B) {
	st, n := benchStore(b)
	benchWrites(b, func(ctx context.Context, k int64) error {
		_, err := st.CreateComment(ctx, blogd.CommentCreate{Content: "benchmark comment",
			PostID: 1 + k*7%int64(n.Posts), UserID: 1 + k%int64(n.Users)})
		return err
	})
}

// benchWrites runs write(ctx, k) for k = 1, 2, ... from 1 and from 32
// concurrent writers.
func benchWrites(b *testing.B, write func(ctx context.Context, k int64) error) {
	ctx := context.Background()
	for _, writers := range []int{1, 32} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(writers)
			var i atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := write(ctx, i.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkEmbed loads each relation of GET /posts?limit=20&include=author,
// categories,comments.author for one page of 20 posts: what each include
// path costs the store, beside the page itself.
func BenchmarkEmbed(b *testing.B) {
	st, _ := benchStore(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	page := blogd.Page{Skip: 100, Limit: 20}
	posts, err := st.PostsOnly(ctx, blogd.PostFilter{}, page)
	if err != nil {
		b.Fatal(err)
	}
	parents := make([]blogd.Keyed, len(posts.Items))
	for i, p := range posts.Items {
		parents[i] = p
	}
	rel := func(r store.Resource, name string) store.Relation {
		rel, ok := store.RelationOf(r, name)
		if !ok {
			b.Fatalf("no relation %s.%s", r, name)
		}
		return rel
	}
	loaded, err := st.Embed(ctx, rel(store.ResourcePost, "comments"), parents, 10)
	if err != nil {
		b.Fatal(err)
	}
	var comments []blogd.Keyed
	for _, e := range loaded {
		comments = append(comments, e.Rows...)
	}
	cases := []struct {
		name string
		load func() error
	}{
		{"PostsOnly", func() error { _, err := st.PostsOnly(ctx, blogd.PostFilter{}, page); return err }},
		{"Posts", func() error { _, err := st.Posts(ctx, blogd.PostFilter{}, page); return err }},
		{"post.author", func() error { _, err := st.Embed(ctx, rel(store.ResourcePost, "author"), parents, 10); return err }},
		{"post.categories", func() error {
			_, err := st.Embed(ctx, rel(store.ResourcePost, "categories"), parents, 10)
			return err
		}},
		{"post.comments", func() error { _, err := st.Embed(ctx, rel(store.ResourcePost, "comments"), parents, 10); return err }},
		{"comment.author", func() error {
			_, err := st.Embed(ctx, rel(store.ResourceComment, "author"), comments, 10)
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.load(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
