package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagProfiles = "profiles"

type profileInput = idBodyInput[blogd.ProfileInput]

func (s *server) registerProfiles(a huma.API) {
	register(a, s, getOp("get-profile", "/users/{id}/profile", "Get a user's profile (one-to-one)", tagProfiles,
		http.StatusNotFound),
		func(ctx context.Context, in *IDPath) (*body[blogd.Profile], error) {
			return ok(s.store.Profile(ctx, in.ID))
		})

	register(a, s, allow(postOp("create-profile", "/users/{id}/profile", "Give a user a profile; a second one is 409",
		tagProfiles, http.StatusNotFound, http.StatusConflict), access{rule: selfOrAdmin}),
		func(ctx context.Context, in *profileInput) (*created[blogd.Profile], error) {
			p, err := s.store.CreateProfile(ctx, in.ID, in.Body)
			if err != nil {
				return nil, err
			}
			return &created[blogd.Profile]{Location: "/users/" + strconv.FormatInt(in.ID, 10) + "/profile", Body: p}, nil
		})

	register(a, s, allow(patchOp("update-profile", "/users/{id}/profile", "Change a user's profile", tagProfiles,
		http.StatusNotFound), access{rule: selfOrAdmin}),
		func(ctx context.Context, in *patchInput[blogd.ProfileInput]) (*body[blogd.Profile], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrProfileChanged, func() (blogd.Profile, error) { return s.store.Profile(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return ok(s.store.UpdateProfile(ctx, in.ID, in.Body))
		})

	register(a, s, allow(deleteOp("delete-profile", "/users/{id}/profile", "Delete a user's profile", tagProfiles,
		http.StatusNotFound, http.StatusPreconditionFailed), access{rule: selfOrAdmin}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrProfileChanged, func() (blogd.Profile, error) { return s.store.Profile(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeleteProfile(ctx, in.ID))
		})
}
