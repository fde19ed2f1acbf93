package api

import (
	"context"
	"net/http"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagPosts = "posts"

type listPostsInput struct {
	PostSearchQuery
	IncludeQuery
	UserID     int64 `query:"user_id" minimum:"1" doc:"only this user's posts (an unknown user gives [])"`
	CategoryID int64 `query:"category_id" minimum:"1" doc:"only posts in this category (an unknown category gives [])"`
}

type createPostInput struct {
	Body blogd.PostCreate
}

func (in *createPostInput) actingUserID() *int64 { return &in.Body.UserID }

type updatePostInput = patchInput[blogd.PostUpdate]

type postCategoryPath struct {
	ID         int64 `path:"id" example:"1" doc:"post id"`
	CategoryID int64 `path:"category_id" example:"1" doc:"category id"`
}

func (s *server) registerPosts(a huma.API) {
	register(a, s, allow(postOp("create-post", "/posts", "Create a post in categories", tagPosts, http.StatusNotFound), access{actsAs: true}),
		func(ctx context.Context, in *createPostInput) (*created[blogd.PostWithRelations], error) {
			p, err := s.store.CreatePost(ctx, in.Body)
			if err != nil {
				return nil, err
			}
			return createdAt("/posts/", p.ID, p), nil
		})

	register(a, s, getOp("list-posts", "/posts", "List posts with author and categories eager-loaded", tagPosts),
		func(ctx context.Context, in *listPostsInput) (*listBody[postRead], error) {
			f := blogd.PostFilter{UserID: in.UserID, CategoryID: in.CategoryID}
			if in.search.All != nil {
				l, err := s.store.SearchPosts(ctx, in.search, f, in.page())
				h := s.snippets.Highlighter(in.search)
				for i, p := range l.Items {
					l.Items[i].Snippet = h.Snippet(p.Title, p.Content)
				}
				return readList(ctx, s, in.IncludeQuery, &in.PageFields, asPostRead, l, err)
			}
			if in.nodes != nil { // the include says what to embed: the posts alone, one statement
				l, err := s.store.PostsOnly(ctx, f, in.page())
				return readList(ctx, s, in.IncludeQuery, &in.PageFields, asPostRead, l, err)
			}
			l, err := s.store.Posts(ctx, f, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asPostRead, l, err)
		})

	register(a, s, getOp("get-post", "/posts/{id}", "Get a post with author and categories", tagPosts,
		http.StatusNotFound),
		func(ctx context.Context, in *IDIncludeInput) (*body[postRead], error) {
			if in.nodes != nil { // the include says what to embed: the post alone
				row, err := s.store.PostOnly(ctx, in.ID)
				return readOne(ctx, s, in.IncludeQuery, asPostRead, row, err)
			}
			row, err := s.store.Post(ctx, in.ID)
			return readOne(ctx, s, in.IncludeQuery, asPostRead, row, err)
		})

	register(a, s, allow(patchOp("update-post", "/posts/{id}", "Change a post; category_ids replaces the set", tagPosts,
		http.StatusNotFound), access{rule: postAuthorOrModerator}),
		func(ctx context.Context, in *updatePostInput) (*body[blogd.PostWithRelations], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrPostChanged, func() (blogd.PostWithRelations, error) { return s.store.Post(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return ok(s.store.UpdatePost(ctx, in.ID, in.Body))
		})

	register(a, s, allow(deleteOp("delete-post", "/posts/{id}", "Delete a post with its comments and category links",
		tagPosts, http.StatusNotFound, http.StatusPreconditionFailed), access{rule: postAuthorOrModerator}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrPostChanged, func() (blogd.PostWithRelations, error) { return s.store.Post(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeletePost(ctx, in.ID))
		})

	register(a, s, getOp("list-post-categories", "/posts/{id}/categories",
		"List a post's categories with the association's created_at as linked_at", tagPosts, http.StatusNotFound),
		func(ctx context.Context, in *IDPageInput) (*listBody[linkedCategoryRead], error) {
			l, err := s.store.PostCategories(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asLinkedCategoryRead, l, err)
		})

	addOp := allow(actionOp("add-post-category", "/posts/{id}/categories/{category_id}",
		"Put a post in a category (idempotent)", tagPosts, http.StatusNotFound), access{rule: postAuthorOrModerator})
	register(a, s, addOp,
		func(ctx context.Context, in *postCategoryPath) (*body[blogd.PostWithRelations], error) {
			return ok(s.store.AddPostCategory(ctx, in.ID, in.CategoryID))
		})

	register(a, s, allow(deleteOp("remove-post-category", "/posts/{id}/categories/{category_id}",
		"Take a post out of a category", tagPosts, http.StatusNotFound), access{rule: postAuthorOrModerator}),
		func(ctx context.Context, in *postCategoryPath) (*struct{}, error) {
			return noContent(s.store.RemovePostCategory(ctx, in.ID, in.CategoryID))
		})
}
