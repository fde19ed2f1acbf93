package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/blogd/blogd/client"
)

// The generated client, and so the document it is generated from, works
// against the server: sign up, sign in, write and read every kind of
// relation, and read an error as a problem.
func TestGeneratedClient(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		e := newEnv(t, bk)
		ctx := context.Background()
		anon, err := client.NewClientWithResponses(e.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		signup, err := anon.CreateUserWithResponse(ctx, client.UserCreate{Username: "ada", Email: "ada@example.com", Password: testPassword})
		if err != nil || signup.JSON201 == nil {
			t.Fatalf("sign up: %v %s", err, signup.Body)
		}
		tok, err := anon.CreateTokenWithFormdataBodyWithResponse(ctx, client.CreateTokenFormdataRequestBody{Username: "ada", Password: testPassword})
		if err != nil || tok.JSON200 == nil || tok.JSON200.TokenType != client.Bearer {
			t.Fatalf("sign in: %v %s", err, tok.Body)
		}
		ada, err := client.NewClientWithResponses(e.srv.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+tok.JSON200.AccessToken)
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		me, err := ada.GetMeWithResponse(ctx, &client.GetMeParams{})
		if err != nil || me.JSON200 == nil || me.JSON200.Id != signup.JSON201.Id || me.JSON200.Email == nil {
			t.Fatalf("me: %v %s", err, me.Body)
		}

		cat := e.category("go") // categories are the admin's
		post, err := ada.CreatePostWithResponse(ctx, client.PostCreate{Title: "Joins", Content: "How.", CategoryIds: &[]int64{cat}})
		if err != nil || post.JSON201 == nil {
			t.Fatalf("create post: %v %s", err, post.Body)
		}
		got, err := ada.GetPostWithResponse(ctx, post.JSON201.Id, &client.GetPostParams{})
		if err != nil || got.JSON200 == nil || got.JSON200.Author == nil || got.JSON200.Author.Username == nil ||
			*got.JSON200.Author.Username != "ada" || got.JSON200.Categories == nil ||
			len(*got.JSON200.Categories) != 1 || (*got.JSON200.Categories)[0].Id != cat {
			t.Fatalf("get post: %v %s", err, got.Body)
		}
		top, err := ada.CreatePostCommentWithResponse(ctx, post.JSON201.Id, client.PostCommentCreate{Content: "First"})
		if err != nil || top.JSON201 == nil {
			t.Fatalf("comment: %v %s", err, top.Body)
		}
		parent := top.JSON201.Id
		if _, err := ada.CreatePostCommentWithResponse(ctx, post.JSON201.Id, client.PostCommentCreate{Content: "Reply", ParentId: &parent}); err != nil {
			t.Fatal(err)
		}
		tree, err := anon.GetCommentTreeWithResponse(ctx, post.JSON201.Id, &client.GetCommentTreeParams{})
		if err != nil || tree.JSON200 == nil || len(*tree.JSON200) != 1 || len((*tree.JSON200)[0].Replies) != 1 {
			t.Fatalf("tree: %v %s", err, tree.Body)
		}
		// include, through the client: the comments, each with its author.
		include := "comments.author"
		withComments, err := anon.GetPostWithResponse(ctx, post.JSON201.Id, &client.GetPostParams{Include: &include})
		if err != nil || withComments.JSON200 == nil || withComments.JSON200.Comments == nil ||
			len(*withComments.JSON200.Comments) != 2 || (*withComments.JSON200.Comments)[0].Author == nil {
			t.Fatalf("include: %v %s", err, withComments.Body)
		}
		missing, err := anon.GetPostWithResponse(ctx, 999999, &client.GetPostParams{})
		if err != nil || missing.ApplicationproblemJSON404 == nil || missing.ApplicationproblemJSON404.Detail == nil ||
			*missing.ApplicationproblemJSON404.Detail != "Post not found" {
			t.Fatalf("missing post: %v %s", err, missing.Body)
		}
	})
}
