package api

import (
	"context"
	"net/http"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagUsers = "users"

type listUsersInput struct {
	PageQuery
	IncludeQuery
	CategoryID int64 `query:"category_id" minimum:"1" doc:"only users with a post in this category (an unknown category gives [])"`
	RoleID     int64 `query:"role_id" minimum:"1" doc:"only users holding this role (an unknown role gives [])"`
}

type updateUserInput = patchInput[blogd.UserUpdate]

func (s *server) registerUsers(a huma.API) {
	register(a, s, allow(postOp("create-user", "/users", "Create a user", tagUsers, http.StatusConflict), access{public: true}),
		func(ctx context.Context, in *bodyInput[blogd.UserCreate]) (*created[blogd.User], error) {
			hash, err := s.hashPassword(ctx, in.Body.Password)
			if err != nil {
				return nil, err
			}
			u, err := s.store.CreateUser(ctx, in.Body, hash)
			if err != nil {
				return nil, err
			}
			return createdAt("/users/", u.ID, u), nil
		})

	register(a, s, allow(getOp("get-me", "/users/me", "The signed-in caller", tagUsers), access{}),
		func(ctx context.Context, in *IncludeQuery) (*body[userRead], error) {
			return readOne(ctx, s, *in, asUserRead, callerOf(ctx).User, nil)
		})

	register(a, s, allow(getOp("list-users", "/users", "List users, optionally by category (explicit join) or role", tagUsers), access{optional: true}),
		func(ctx context.Context, in *listUsersInput) (*listBody[userRead], error) {
			f := blogd.UserFilter{CategoryID: in.CategoryID, RoleID: in.RoleID}
			users, err := s.store.Users(ctx, f, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asUserRead, users, err)
		})

	register(a, s, allow(getOp("get-user", "/users/{id}", "Get a user", tagUsers, http.StatusNotFound), access{optional: true}),
		func(ctx context.Context, in *IDIncludeInput) (*body[userRead], error) {
			u, err := s.store.User(ctx, in.ID)
			return readOne(ctx, s, in.IncludeQuery, asUserRead, u, err)
		})

	register(a, s, allow(patchOp("update-user", "/users/{id}",
		"Change a user's username, email or password; a new password needs the current one (but for an admin "+
			"resetting someone else's) and ends every token of the user", tagUsers,
		http.StatusNotFound, http.StatusConflict), access{rule: selfOrAdmin, forgetsCallers: true}),
		func(ctx context.Context, in *updateUserInput) (*body[blogd.User], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrUserChanged, func() (blogd.User, error) { return s.store.User(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			var hash *string
			if in.Body.Password != nil {
				if err := s.checkCurrentPassword(ctx, in.ID, in.Body.CurrentPassword); err != nil {
					return nil, err
				}
				h, err := s.hashPassword(ctx, *in.Body.Password)
				if err != nil {
					return nil, err
				}
				hash = &h
			}
			return ok(s.store.UpdateUser(ctx, in.ID, in.Body, hash))
		})

	register(a, s, allow(deleteOp("delete-user", "/users/{id}",
		"Delete a user with their profile, posts, comments (and the replies below them) and role links",
		tagUsers, http.StatusNotFound, http.StatusPreconditionFailed), access{rule: selfOrAdmin, forgetsCallers: true}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrUserChanged, func() (blogd.User, error) { return s.store.User(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeleteUser(ctx, in.ID))
		})

	register(a, s, getOp("list-user-posts", "/users/{id}/posts", "List a user's posts (one-to-many)", tagUsers,
		http.StatusNotFound),
		func(ctx context.Context, in *IDPostPageInput) (*listBody[postRead], error) {
			l, err := s.store.UserPosts(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asPostRead, l, err)
		})

	register(a, s, getOp("list-user-comments", "/users/{id}/comments", "List a user's comments (one-to-many)", tagUsers,
		http.StatusNotFound),
		func(ctx context.Context, in *IDPageInput) (*listBody[commentRead], error) {
			l, err := s.store.UserComments(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asCommentRead, l, err)
		})

}

// checkCurrentPassword lets a caller change the password of user id: an
// admin may reset anyone else's; one's own needs the current password. A
// wrong one counts against the sign-in throttle, like a failed sign-in, so
// that a stolen token cannot be used to guess the password either.
func (s *server) checkCurrentPassword(ctx context.Context, id int64, current *string) error {
	c := callerOf(ctx)
	if c.ID != id {
		return nil // selfOrAdmin let only an admin this far
	}
	if current == nil {
		return blogd.ErrCurrentPasswordNeeded
	}
	addr := clientAddrOf(ctx)
	wait, _, err := s.auth.throttle.blocked(ctx, c.Username, addr)
	if err != nil {
		return err
	}
	if wait > 0 {
		return blogd.ErrTooManyWrongPasswords
	}
	_, ok, err := s.verifyPassword(ctx, c.Username, *current)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.auth.throttle.fail(ctx, c.Username, addr); err != nil {
			return err
		}
		return blogd.ErrCurrentPasswordWrong
	}
	return nil
}
