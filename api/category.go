package api

import (
	"context"
	"net/http"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

const tagCategories = "categories"

type updateCategoryInput = patchInput[blogd.CategoryUpdate]

func (s *server) registerCategories(a huma.API) {
	register(a, s, allow(postOp("create-category", "/categories", "Create a category", tagCategories, http.StatusConflict), access{rule: adminOnly}),
		func(ctx context.Context, in *bodyInput[blogd.CategoryCreate]) (*created[blogd.Category], error) {
			c, err := s.store.CreateCategory(ctx, in.Body)
			if err != nil {
				return nil, err
			}
			return createdAt("/categories/", c.ID, c), nil
		})

	register(a, s, getOp("list-categories", "/categories", "List categories", tagCategories),
		func(ctx context.Context, in *pageIncludeInput) (*listBody[categoryRead], error) {
			l, err := s.store.Categories(ctx, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asCategoryRead, l, err)
		})

	register(a, s, getOp("get-category", "/categories/{id}", "Get a category", tagCategories, http.StatusNotFound),
		func(ctx context.Context, in *IDIncludeInput) (*body[categoryRead], error) {
			row, err := s.store.Category(ctx, in.ID)
			return readOne(ctx, s, in.IncludeQuery, asCategoryRead, row, err)
		})

	register(a, s, allow(patchOp("update-category", "/categories/{id}", "Change a category", tagCategories,
		http.StatusNotFound, http.StatusConflict), access{rule: adminOnly}),
		func(ctx context.Context, in *updateCategoryInput) (*body[blogd.Category], error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrCategoryChanged, func() (blogd.Category, error) { return s.store.Category(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return ok(s.store.UpdateCategory(ctx, in.ID, in.Body))
		})

	register(a, s, allow(deleteOp("delete-category", "/categories/{id}", "Delete a category; its posts stay",
		tagCategories, http.StatusNotFound, http.StatusPreconditionFailed), access{rule: adminOnly}),
		func(ctx context.Context, in *deleteInput) (*struct{}, error) {
			ctx, err := ifMatch(ctx, in.IfMatch, blogd.ErrCategoryChanged, func() (blogd.Category, error) { return s.store.Category(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return noContent(s.store.DeleteCategory(ctx, in.ID))
		})

	register(a, s, getOp("list-category-posts", "/categories/{id}/posts", "List the posts of a category",
		tagCategories, http.StatusNotFound),
		func(ctx context.Context, in *IDPostPageInput) (*listBody[postRead], error) {
			l, err := s.store.CategoryPosts(ctx, in.ID, in.page())
			return readList(ctx, s, in.IncludeQuery, &in.PageFields, asPostRead, l, err)
		})
}
