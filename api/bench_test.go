package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/password"
	"github.com/danielgtaylor/huma/v2"
)

// The HTTP layer's hot paths: the JSON encoding of response bodies, and
// whole requests of the load harness's read scenarios served in process
// (middleware, auth, huma, store, SQLite; no network) on the default
// dataset, each with a bearer token as the harness sends. Compare a change
// with benchstat (docs/performance.md); speed is never asserted.

func BenchmarkEncode(b *testing.B) {
	users := make([]blogd.User, 100)
	for i := range users {
		users[i] = blogd.User{ID: int64(i + 1), Username: fmt.Sprintf("user_%03d", i), Email: fmt.Sprintf("user_%03d@example.com", i),
			CreatedAt: time.Date(2026, 11, 24, 10, 0, 0, 123456000, time.UTC)}
	}
	posts := make([]blogd.PostWithRelations, 20)
	for i := range posts {
		posts[i] = blogd.PostWithRelations{
			Post: blogd.Post{ID: int64(i + 1), Title: "Relationships in Go", Content: strings.Repeat("One-to-many, many-to-many. ", 8),
				UserID: 7, CreatedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)},
			Author:     blogd.Author{ID: 7, Username: "ada"},
			Categories: []blogd.CategoryRef{{ID: 1, Name: "databases"}, {ID: 2, Name: "go"}},
		}
	}
	values := []struct {
		name string
		v    any
	}{{"User", users[0]}, {"Users100", users}, {"PostsNested20", posts}}
	formats := []struct {
		name string
		f    huma.Format
	}{{"encoding-json", huma.DefaultJSONFormat}, {"api", api.JSONFormat}}
	for _, v := range values {
		for _, f := range formats {
			b.Run(v.name+"/"+f.name, func(b *testing.B) {
				b.ReportAllocs()
				var buf bytes.Buffer
				for b.Loop() {
					buf.Reset()
					if err := f.f.Marshal(&buf, v.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkRequests(b *testing.B) {
	ctx := context.Background()
	st, n := testdb.Seeded(b)
	hash, err := password.Hash(testPassword, password.MinCost)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateUserWithRole(ctx, blogd.UserCreate{Username: "bench", Email: "bench@example.com"}, hash, blogd.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	// Access lines are encoded as in production and thrown away.
	h := api.NewHandler(api.Config{Store: st, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Version: "bench"})
	form := url.Values{"username": {"bench"}, "password": {testPassword}}
	req := httptest.NewRequest("POST", "/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tok blogd.Token
	decode(b, rec.Body.Bytes(), &tok)
	auth := "Bearer " + tok.AccessToken

	scenarios := []struct {
		name string
		path func(i int64) string
	}{
		{"get_user", func(i int64) string { return fmt.Sprintf("/users/%d", 1+i%int64(n.Users)) }},
		{"get_user_profile", func(i int64) string { return fmt.Sprintf("/users/%d/profile", 1+i%int64(n.Users)) }},
		{"get_user_posts", func(i int64) string { return fmt.Sprintf("/users/%d/posts", 1+i%int64(n.Users)) }},
		{"get_post", func(i int64) string { return fmt.Sprintf("/posts/%d", 1+i%int64(n.Posts)) }},
		{"list_posts_nested", func(i int64) string { return fmt.Sprintf("/posts?skip=%d&limit=20", (i*37)%int64(n.Posts-20)) }},
		{"comment_replies", func(i int64) string { return fmt.Sprintf("/comments/%d/replies", 1+i%int64(n.Comments)) }},
		{"users_by_category", func(i int64) string { return fmt.Sprintf("/users?category_id=%d", 1+i%int64(n.Categories)) }},
		{"posts_include", func(i int64) string {
			return fmt.Sprintf("/posts?skip=%d&limit=20&include=author,categories,comments.author", (i*37)%int64(n.Posts-20))
		}},
		{"user_include", func(i int64) string {
			return fmt.Sprintf("/users/%d?include=profile,roles,posts.categories", 1+i%int64(n.Users))
		}},
		{"search_posts", func(int64) string { return "/posts?q=post&limit=20" }},
		{"search_posts_rare", func(i int64) string {
			return "/posts?q=" + []string{"coffee", "failover", "garden%20OR%20river", "%22group%20commit%22"}[i%4] + "&limit=20"
		}},
	}
	for _, s := range scenarios {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			var i atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// Not httptest.NewRequest: its 4 KiB reader per request would
					// be most of the allocations measured. The context is
					// cancellable, as net/http's are: a background one would
					// hide the goroutine database/sql starts to watch a
					// cancellable context.
					rctx, cancel := context.WithCancel(ctx)
					r, err := http.NewRequestWithContext(rctx, "GET", s.path(i.Add(1)), nil)
					if err != nil {
						cancel()
						b.Error(err)
						return
					}
					r.Header.Set("Authorization", auth)
					r.Header.Set("Accept", "application/json")
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					cancel()
					if w.Code != http.StatusOK && w.Code != http.StatusNotFound {
						b.Errorf("GET %s: %d %s", r.URL, w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
