package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/password"
	"github.com/blogd/blogd/seed"
	"github.com/blogd/blogd/store"
)

// blogd copy: seed a SQLite file, copy it into an empty PostgreSQL schema,
// and every read of the API answers the same on both, a token issued on
// SQLite works on PostgreSQL, the password signs in there, new rows get new
// ids, and a second copy is refused.
func TestCopyRoundTrip(t *testing.T) {
	serverURL := postgresServer(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "from.db")
	src, err := store.Open(ctx, file, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	spec := seed.Spec{Seed: 7, Users: 20, PostsPerUser: 3, Categories: 5, CommentsPerPost: 4, ReplyRatio: 0.5, Roles: 3, BatchSize: 50}
	if _, err := seed.Run(ctx, src, spec, nil); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash("the password", password.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CreateUserWithRole(ctx, blogd.UserCreate{Username: "root", Email: "root@example.com"}, hash, blogd.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	srcAPI := httptest.NewServer(api.NewHandler(api.Config{Store: src, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}))
	defer srcAPI.Close()
	token := signIn(t, srcAPI.URL, "root", "the password")

	to := testdb.PostgresSchema(t, serverURL)
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"copy", "--from", file, "--to", to}, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("copy: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "counted on both sides: equal") || !strings.Contains(stdout.String(), "users=21") {
		t.Errorf("copy said %q", stdout.String())
	}
	dst, err := store.Open(ctx, to, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dstAPI := httptest.NewServer(api.NewHandler(api.Config{Store: dst, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}))
	defer dstAPI.Close()

	get := func(base, path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token) // issued on SQLite: the tokens moved too
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{
		"/users?limit=1000", "/posts?limit=1000&sort=-created_at", "/comments?limit=1000", "/categories", "/roles",
		"/posts/1", "/posts/2/comments/tree", "/users/3/profile", "/users/3?include=profile,roles,posts.categories,comments",
		"/posts?limit=50&include=author,categories,comments.author,comments.replies", "/users?category_id=2",
		"/roles/1/users", "/categories/1/posts", "/posts?q=post&sort=id&limit=1000", "/users/me",
	} {
		ss, sb := get(srcAPI.URL, path)
		ds, db := get(dstAPI.URL, path)
		if ss != http.StatusOK || ds != ss || db != sb {
			t.Errorf("GET %s: SQLite %d %.300s\nPostgreSQL %d %.300s", path, ss, sb, ds, db)
		}
	}
	signIn(t, dstAPI.URL, "root", "the password") // the password hash moved

	// New rows continue the ids.
	status, id, err := postJSON(http.DefaultClient, token, dstAPI.URL+"/categories", `{"name":"after the copy"}`)
	if err != nil || status != http.StatusCreated || id != int64(spec.Categories+1) {
		t.Errorf("a category after the copy: %d, id %d, %v", status, id, err)
	}

	err = run(ctx, []string{"copy", "--from", file, "--to", to}, func(string) string { return "" }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second copy: %v", err)
	}

}
