package api

import (
	"context"
	"net/http"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagRoles = "roles"

type updateRoleInput = patchInput[blogd.RoleUpdate]

type userRolePath struct {
	ID     int64 `path:"id" example:"1" doc:"user id"`
	RoleID int64 `path:"role_id" example:"1" doc:"role id"`
}

func (s *server) registerRoles(a huma.API) {
	register(a, s, allow(postOp("create-role", "/roles", "Create a role", tagRoles, http.StatusConflict), access{rule: adminOnly}),
		func(ctx context.Context, in *bodyInput[blogd.RoleCreate]) (*created[blogd.Role], error) {
			r, err := s.store.CreateRole(ctx, in.Body)
			if err != nil {
				return nil, err
			}
			return createdAt("/roles/", r.ID, r), nil
		})

	register(a, s, getOp("list-roles", "/roles", "List roles", tagRoles),
		func(ctx context.Context, in *pageIncludeInput) (*listBody[roleRead], error) {
			l, err := s.store.Roles(ctx, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asRoleRead, l, err)
		})

	register(a, s, getOp("get-role", "/roles/{id}", "Get a role", tagRoles, http.StatusNotFound),
		func(ctx context.Context, in *IDIncludeInput) (*body[roleRead], error) {
			row, err := s.store.Role(ctx, in.ID)
			return readOne(ctx, s, in.IncludeQuery, asRoleRead, row, err)
		})

	register(a, s, allow(patchOp("update-role", "/roles/{id}", "Change a role; the built-in admin and moderator roles keep their names", tagRoles,
		http.StatusNotFound, http.StatusConflict), access{rule: adminOnly, forgetsCallers: true}),
		func(ctx context.Context, in *updateRoleInput) (*body[blogd.Role], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrRoleChanged, func() (blogd.Role, error) { return s.store.Role(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return ok(s.store.UpdateRole(ctx, in.ID, in.Body))
		})

	register(a, s, allow(deleteOp("delete-role", "/roles/{id}", "Delete a role; its users stay. The built-in admin and moderator roles cannot be deleted (409)", tagRoles,
		http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed), access{rule: adminOnly, forgetsCallers: true}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrRoleChanged, func() (blogd.Role, error) { return s.store.Role(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeleteRole(ctx, in.ID))
		})

	register(a, s, allow(getOp("list-role-users", "/roles/{id}/users", "List the users holding a role (many-to-many)",
		tagRoles, http.StatusNotFound), access{optional: true}),
		func(ctx context.Context, in *IDPageInput) (*listBody[userRead], error) {
			l, err := s.store.RoleUsers(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asUserRead, l, err)
		})

	register(a, s, getOp("list-user-roles", "/users/{id}/roles", "List a user's roles (many-to-many)", tagRoles,
		http.StatusNotFound),
		func(ctx context.Context, in *IDPageInput) (*listBody[roleRead], error) {
			l, err := s.store.UserRoles(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asRoleRead, l, err)
		})

	assignOp := allow(actionOp("assign-role", "/users/{id}/roles/{role_id}",
		"Give a user a role (idempotent); returns the user's roles", tagRoles, http.StatusNotFound), access{rule: adminOnly, forgetsCallers: true})
	register(a, s, assignOp, func(ctx context.Context, in *userRolePath) (*body[[]blogd.Role], error) {
		return ok(s.store.AssignRole(ctx, in.ID, in.RoleID))
	})

	register(a, s, allow(deleteOp("unassign-role", "/users/{id}/roles/{role_id}", "Take a role from a user", tagRoles,
		http.StatusNotFound), access{rule: adminOnly, forgetsCallers: true}),
		func(ctx context.Context, in *userRolePath) (*struct{}, error) {
			return noContent(s.store.UnassignRole(ctx, in.ID, in.RoleID))
		})
}
