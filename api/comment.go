package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagComments = "comments"

type createPostCommentInput struct {
	IDPath
	Body blogd.PostCommentCreate
}

func (in *createPostCommentInput) actingUserID() *int64 { return &in.Body.UserID }

type createCommentInput struct {
	Body blogd.CommentCreate
}

func (in *createCommentInput) actingUserID() *int64 { return &in.Body.UserID }

// commentTreeInput is a page of threads and how deep to nest them.
type commentTreeInput struct {
	IDPath
	PageQuery
	Depth int `query:"depth" minimum:"1" maximum:"100" default:"100" doc:"levels of each thread to nest, the top-level comment being level 1"`
}

type updateCommentInput = patchInput[blogd.CommentUpdate]

func (s *server) createComment(ctx context.Context, in blogd.CommentCreate) (*created[blogd.Comment], error) {
	c, err := s.store.CreateComment(ctx, in)
	if err != nil {
		return nil, err
	}
	return createdAt("/comments/", c.ID, c), nil
}

func (s *server) registerComments(a huma.API) {
	register(a, s, allow(postOp("create-post-comment", "/posts/{id}/comments",
		"Comment on a post, or reply to one of its comments", tagComments, http.StatusNotFound, http.StatusBadRequest), access{actsAs: true}),
		func(ctx context.Context, in *createPostCommentInput) (*created[blogd.Comment], error) {
			return s.createComment(ctx, blogd.CommentCreate{
				Content: in.Body.Content, PostID: in.ID, UserID: in.Body.UserID, ParentID: in.Body.ParentID,
			})
		})

	register(a, s, allow(postOp("create-comment", "/comments", "Create a comment", tagComments,
		http.StatusNotFound, http.StatusBadRequest), access{actsAs: true}),
		func(ctx context.Context, in *createCommentInput) (*created[blogd.Comment], error) {
			return s.createComment(ctx, in.Body)
		})

	register(a, s, getOp("list-post-comments", "/posts/{id}/comments", "List every comment of a post, flat",
		tagComments, http.StatusNotFound),
		func(ctx context.Context, in *IDPageInput) (*listBody[commentRead], error) {
			l, err := s.store.PostComments(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asCommentRead, l, err)
		})

	tree := getOp("get-comment-tree", "/posts/{id}/comments/tree",
		"A page of a post's top-level comments, each with its reply tree", tagComments, http.StatusNotFound)
	tree.Description = fmt.Sprintf("Each thread is nested down to `depth` levels (the top-level comment is level 1; "+
		"at most %d). A comment on the last level served whose replies were left out has `more_replies: true`; "+
		"its replies are read from `/comments/{id}/replies`.", blogd.MaxThreadDepth)
	register(a, s, tree,
		func(ctx context.Context, in *commentTreeInput) (*listBody[*blogd.CommentThread], error) {
			l, err := s.store.CommentTree(ctx, in.ID, in.page(), in.Depth)
			return listOf(&in.PageFields, l, err)
		})

	register(a, s, getOp("list-comments", "/comments", "List comments", tagComments),
		func(ctx context.Context, in *pageIncludeInput) (*listBody[commentRead], error) {
			l, err := s.store.Comments(ctx, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asCommentRead, l, err)
		})

	register(a, s, getOp("get-comment", "/comments/{id}", "Get a comment", tagComments, http.StatusNotFound),
		func(ctx context.Context, in *IDIncludeInput) (*body[commentRead], error) {
			row, err := s.store.Comment(ctx, in.ID)
			return readOne(ctx, s, in.IncludeQuery, asCommentRead, row, err)
		})

	register(a, s, allow(patchOp("update-comment", "/comments/{id}", "Change a comment", tagComments, http.StatusNotFound), access{rule: commentAuthorOrModerator}),
		func(ctx context.Context, in *updateCommentInput) (*body[blogd.Comment], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrCommentChanged, func() (blogd.Comment, error) { return s.store.Comment(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return ok(s.store.UpdateComment(ctx, in.ID, in.Body))
		})

	register(a, s, allow(deleteOp("delete-comment", "/comments/{id}", "Delete a comment and its whole reply subtree",
		tagComments, http.StatusNotFound, http.StatusPreconditionFailed), access{rule: commentAuthorOrModerator}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrCommentChanged, func() (blogd.Comment, error) { return s.store.Comment(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeleteComment(ctx, in.ID))
		})

	register(a, s, getOp("list-replies", "/comments/{id}/replies", "List the direct replies to a comment",
		tagComments, http.StatusNotFound),
		func(ctx context.Context, in *IDPageInput) (*listBody[commentRead], error) {
			l, err := s.store.Replies(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asCommentRead, l, err)
		})
}
