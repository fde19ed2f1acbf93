// Package api is blogd's HTTP layer: one file per resource, each declaring
// its operations with huma, which derives the OpenAPI document, the request
// validation and the RFC 9457 error bodies from the same Go types.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/store"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// Config is what the HTTP layer needs.
type Config struct {
	Store   *store.Store
	Logger  *slog.Logger
	Version string
}

// server holds the dependencies of the operations.
type server struct {
	store *store.Store
	log   *slog.Logger
}

// NewHandler returns the whole HTTP API as one handler.
func NewHandler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	hc := huma.DefaultConfig("blogd", cfg.Version)
	hc.Info.Description = "The blog back end of the guide \"SQLAlchemy Relationships in FastAPI\", in Go: " +
		"users, one-to-one profiles, posts, categories (many-to-many with an association entity), " +
		"threaded comments and roles."
	// No $schema links in every response body: clients do not need them and
	// they cost an allocation per response.
	hc.CreateHooks = nil
	a := humago.New(mux, hc)

	s := &server{store: cfg.Store, log: cfg.Logger}
	s.registerHealth(a)
	s.registerUsers(a)
	s.registerProfiles(a)
	s.registerPosts(a)
	s.registerCategories(a)
	s.registerComments(a)
	s.registerRoles(a)
	return withNullCheck(withProblemFallback(mux))
}

// register adds an operation whose handler returns domain errors; they are
// mapped to HTTP problems in one place, problemFor.
func register[I, O any](a huma.API, s *server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	huma.Register(a, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problemFor(ctx, err)
		}
		return out, nil
	})
}

// Shared inputs and outputs. The embeddable inputs are exported because
// huma reads only exported fields.

// IDPath is the {id} of a resource path.
type IDPath struct {
	ID int64 `path:"id" doc:"resource id"`
}

// PageQuery is the pagination of every list.
type PageQuery struct {
	Skip  int `query:"skip" minimum:"0" default:"0" doc:"rows to skip"`
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"rows to return"`
}

func (q PageQuery) page() blogd.Page { return blogd.Page{Skip: q.Skip, Limit: q.Limit} }

// IDPageInput is a nested list: the parent's id and a page.
type IDPageInput struct {
	IDPath
	PageQuery
}

// body is a 200 response with a JSON body.
type body[T any] struct {
	Body T
}

// created is a 201 response with the new resource's address.
type created[T any] struct {
	Location string `header:"Location" doc:"address of the new resource"`
	Body     T
}

func ok[T any](v T, err error) (*body[T], error) {
	if err != nil {
		return nil, err
	}
	return &body[T]{Body: v}, nil
}

func createdAt[T any](prefix string, id int64, v T) *created[T] {
	return &created[T]{Location: prefix + strconv.FormatInt(id, 10), Body: v}
}

func noContent(err error) (*struct{}, error) {
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// Operation templates.

func getOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodGet, Path: path, Summary: summary,
		Tags: []string{tag}, Errors: append(errs, http.StatusUnprocessableEntity)}
}

func postOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary,
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Errors: append(errs, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)}
}

func patchOp(id, path, summary, tag string, errs ...int) huma.Operation {
	op := postOp(id, path, summary, tag, errs...)
	op.Method, op.DefaultStatus = http.MethodPatch, http.StatusOK
	return op
}

func deleteOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodDelete, Path: path, Summary: summary,
		Tags: []string{tag}, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusUnprocessableEntity)}
}

// healthStatus is the body of the health checks.
type healthStatus struct {
	Status string `json:"status" example:"ok"`
}

func (s *server) registerHealth(a huma.API) {
	register(a, s, getOp("healthz", "/healthz", "Liveness: the process is up", "health"),
		func(ctx context.Context, _ *struct{}) (*body[healthStatus], error) {
			return &body[healthStatus]{Body: healthStatus{Status: "ok"}}, nil
		})
	op := getOp("readyz", "/readyz", "Readiness: the database answers", "health", http.StatusServiceUnavailable)
	register(a, s, op, func(ctx context.Context, _ *struct{}) (*body[healthStatus], error) {
		if err := s.store.Ping(ctx); err != nil {
			s.log.ErrorContext(ctx, "readiness check failed", "err", err)
			return nil, huma.Error503ServiceUnavailable("database unavailable")
		}
		return &body[healthStatus]{Body: healthStatus{Status: "ok"}}, nil
	})
}
