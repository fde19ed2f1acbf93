// Package api is blogd's HTTP layer: one file per resource, each declaring
// its operations with huma, which derives the OpenAPI document, the request
// validation and the RFC 9457 error bodies from the same Go types.
package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/blogd/blogd/internal/docsui"
	"github.com/blogd/blogd/search"
	"github.com/blogd/blogd/store"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	fastjson "github.com/segmentio/encoding/json"
)

// Config is what the HTTP layer needs.
type Config struct {
	Store   *store.Store
	Logger  *slog.Logger
	Version string
	// Metrics is where the handler registers its metrics, served at
	// /metrics; nil means a registry of its own.
	Metrics *prometheus.Registry

	// TokenTTL is how long a bearer token lives; 0 means an hour.
	TokenTTL time.Duration
	// PasswordCost is bcrypt's cost; 0 means password.DefaultCost (10).
	PasswordCost int
	// LoginAttempts failed sign-ins for one username from one client
	// address within LoginWindow block that pair until the window ends;
	// LoginAttemptsPerUser failures for one username from any address
	// block every address that has failed for it. 0 means 5 and 100 in
	// 15 minutes.
	LoginAttempts        int
	LoginAttemptsPerUser int
	LoginWindow          time.Duration
	// Now is the clock of token expiry and throttling; nil means time.Now.
	Now func() time.Time

	// RateLimit is the requests a second that one client address may make
	// (in bursts of up to RateBurst; 0: as many as RateLimit, at least 1);
	// the rest get 429 with Retry-After. 0 means no limit. The health checks
	// and /metrics are never limited.
	RateLimit float64
	RateBurst int
	// CORSOrigins are the origins whose pages may call the API from a
	// browser ("*" for any); none means none.
	CORSOrigins []string
	// ReadConcurrency is how many GET requests make their answers at once;
	// the others wait their turn, first come first served (queueReads). 0
	// means DefaultReadConcurrency.
	ReadConcurrency int
}

// DefaultReadConcurrency is the GET requests that make their answers at
// once by default: 4 per processor Go uses.
func DefaultReadConcurrency() int { return 4 * runtime.GOMAXPROCS(0) }

// server holds the dependencies of the operations.
type server struct {
	store *store.Store
	log   *slog.Logger
	auth  *authConfig
	// rateLimited: every operation but the health checks may answer 429.
	rateLimited bool
	// snippets keeps the snippets of searches' answers (search.Snippets).
	snippets *search.Snippets
}

// snippetsBytes bounds the snippets kept: about 4,000 of them.
const snippetsBytes = 1 << 20

// NewHandler returns the whole HTTP API as one handler: the operations, the
// OpenAPI 3.1 document at /openapi.json (and .yaml, and 3.0 downgrades at
// /openapi-3.0.json and .yaml), the interactive docs at /docs and the
// Prometheus metrics at /metrics. Every request gets an X-Request-ID, one
// access log line and its metrics; a panic becomes a logged 500.
func NewHandler(cfg Config) http.Handler {
	h, _ := newHandler(cfg)
	return h
}

// newHandler is NewHandler, also returning every route pattern registered
// on the mux, so that a test can prove that each one is documented.
func newHandler(cfg Config) (http.Handler, []string) {
	mux := &routeMux{ServeMux: http.NewServeMux()}
	hc := huma.DefaultConfig("blogd", cfg.Version)
	hc.Info.Description = "The blog back end of the guide \"SQLAlchemy Relationships in FastAPI\", in Go: " +
		"users, one-to-one profiles, posts, categories (many-to-many with an association entity), " +
		"threaded comments and roles.\n\n" +
		"Every error is an RFC 9457 `application/problem+json` body; each operation lists the ones it can return. " +
		"Any route also answers 404 (unknown path) or 405 (method not allowed) in the same form.\n\n" +
		"Every answer carries `Server-Timing: db;dur=<ms>;desc=\"<n> statements\"`: what the request cost the database.\n\n" +
		"Ids in a path name a resource: an unknown one is 404 (`/users/9999/posts`). Ids in a query filter a list: " +
		"an unknown one matches nothing, 200 `[]` (`/posts?user_id=9999`)."
	// The docs page groups operations by tag, in the order declared here
	// (else in the order huma meets them, which varies).
	hc.Tags = []*huma.Tag{
		{Name: tagUsers, Description: "Accounts and signing in; a user has one profile, many posts, comments and roles."},
		{Name: tagProfiles, Description: "The one-to-one extension of a user."},
		{Name: tagPosts, Description: "Posts: one author (many-to-one), many categories (many-to-many)."},
		{Name: tagCategories, Description: "Categories, linked to posts through an association that records when."},
		{Name: tagComments, Description: "Comments on posts, and replies to comments (self-referential)."},
		{Name: tagRoles, Description: "Roles, many-to-many with users; admin and moderator are built in."},
		{Name: tagHealth, Description: "Liveness and readiness checks."},
	}
	// No $schema links in every response body: clients do not need them and
	// they cost an allocation per response. Without them, the per-schema
	// routes under /schemas serve nothing anyone links to.
	hc.CreateHooks = nil
	hc.SchemasPath = ""
	// huma's own docs page loads its scripts from a CDN; ours is embedded.
	hc.DocsPath = ""
	// Responses are encoded by segmentio/encoding/json: the same bytes as
	// encoding/json, about 4x faster on our lists (docs/performance.md).
	// Request bodies are still read by encoding/json.
	hc.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	a := humago.New(mux, hc)
	docsui.New(hc.OpenAPIPath+".json", "blogd API reference").Register(mux)

	logger := slog.New(withRequestID{cfg.Logger.Handler()})
	s := &server{store: cfg.Store, log: logger, auth: newAuthConfig(cfg), rateLimited: cfg.RateLimit > 0,
		snippets: search.NewSnippets(snippetsBytes)}
	a.UseMiddleware(s.authMiddleware(a))
	mux.HandleFunc("POST "+tokenPath, s.tokenHandler)
	documentAuth(a.OpenAPI())
	s.registerHealth(a)
	s.registerUsers(a)
	s.registerProfiles(a)
	s.registerPosts(a)
	s.registerCategories(a)
	s.registerComments(a)
	s.registerRoles(a)
	applyTextRules(a.OpenAPI())
	documentErrors(a.OpenAPI())
	documentConditional(a.OpenAPI())
	documentIncludes(a.OpenAPI())

	reg := cfg.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	registerRuntimeMetrics(reg, cfg.Store)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}))

	var h http.Handler = withNullCheck(withProblemFallback(mux.ServeMux), mux.ServeMux)
	reads := cfg.ReadConcurrency
	if reads <= 0 {
		reads = DefaultReadConcurrency()
	}
	h = queueReads(h, reads)
	h = withETags(h)
	if cfg.Store != nil {
		h = withBookmarks(h, cfg.Store, logger)
	}
	h = recoverPanics(h, logger)
	if cfg.RateLimit > 0 {
		h = limitRate(h, newRateLimiter(cfg.RateLimit, cfg.RateBurst, time.Now))
	}
	h = allowCORS(h, cfg.CORSOrigins)
	h = observe(h, logger, newMetrics(reg))
	return h, mux.patterns
}

// Document returns the OpenAPI document of the API of version, as the
// server serves it at path: /openapi.json (3.1) or /openapi-3.0.json (the
// same, downgraded to 3.0.3 for tools that read only 3.0), or their .yaml
// forms. It needs no database.
func Document(path, version string) ([]byte, error) {
	h := NewHandler(Config{Logger: slog.New(slog.DiscardHandler), Version: version})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("openapi document %s: status %d", path, rec.Code)
	}
	return rec.Body.Bytes(), nil
}

// answerBuffers recycles the buffers that reads are written into.
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// jsonFormat writes response bodies with segmentio/encoding/json and reads
// request bodies with encoding/json, more strictly than huma's default
// (decodeJSON).
var jsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		buf := answerBuffers.Get().(*[]byte)
		defer answerBuffers.Put(buf)
		if b, ok := appendReads((*buf)[:0], v); ok {
			*buf = append(b, '\n')
			_, err := w.Write(*buf)
			return err
		}
		enc := fastjson.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	},
	Unmarshal: decodeJSON,
}

// routeMux is a ServeMux that remembers the patterns registered on it.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

// HandleFunc registers handler for pattern and records the pattern.
func (m *routeMux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, handler)
}

// Handle registers handler for pattern and records the pattern.
func (m *routeMux) Handle(pattern string, handler http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, handler)
}

// register adds an operation whose handler returns domain errors; they are
// mapped to HTTP problems in one place, problemFor.
func register[I, O any](a huma.API, s *server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	guard(&op)
	acc, _ := accessFor(op)
	if s.rateLimited && !exemptFromLimits[op.Path] {
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	huma.Register(a, op, func(ctx context.Context, in *I) (*O, error) {
		if err := actAs(ctx, in); err != nil {
			return nil, s.problemFor(ctx, err)
		}
		out, err := h(ctx, in)
		if acc.forgetsCallers {
			s.auth.callers.clear() // even on error: a part may have happened elsewhere
		}
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
	ID int64 `path:"id" example:"1" doc:"resource id"`
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

// Operation templates. Each lists the errors its operation can answer,
// beyond the 500 that huma adds to every one: the handler's own (errs) and
// those of huma's input handling.

// bodyErrors are the answers of huma (and of withNullCheck) to a bad request
// body: read too slowly, past the server's ReadTimeout (408), too large (413),
// not JSON (415), invalid (422).
func bodyErrors(errs []int) []int {
	return append(errs, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
}

// getOp is a read. 422 is a bad path or query parameter.
func getOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodGet, Path: path, Summary: summary,
		Tags: []string{tag}, Errors: append(errs, http.StatusUnprocessableEntity)}
}

// postOp creates a resource from a JSON body: 201.
func postOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary,
		Tags: []string{tag}, DefaultStatus: http.StatusCreated, Errors: bodyErrors(errs)}
}

// actionOp is a POST without a body that links two resources named by the
// path (idempotent): 200. 422 is a bad path parameter.
func actionOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary,
		Tags: []string{tag}, DefaultStatus: http.StatusOK, Errors: append(errs, http.StatusUnprocessableEntity)}
}

// patchOp changes a resource from a JSON body: 200. 412 is a stale
// If-Match.
func patchOp(id, path, summary, tag string, errs ...int) huma.Operation {
	op := postOp(id, path, summary, tag, append(errs, http.StatusPreconditionFailed)...)
	op.Method, op.DefaultStatus = http.MethodPatch, http.StatusOK
	return op
}

// deleteOp deletes a resource: 204. 422 is a bad path parameter.
func deleteOp(id, path, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{OperationID: id, Method: http.MethodDelete, Path: path, Summary: summary,
		Tags: []string{tag}, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusUnprocessableEntity)}
}

const tagHealth = "health"

// readiness is the body of the readiness check: with replicas, the primary
// and each replica as the lag watcher last saw it.
type readiness struct {
	Status   string             `json:"status" example:"ok"`
	Primary  string             `json:"primary,omitempty" example:"ok" doc:"with replicas: the primary answers"`
	Replicas []replicaReadiness `json:"replicas,omitempty" doc:"with replicas: each, as the lag watcher last saw it"`
}

// replicaReadiness is one replica in the readiness check.
type replicaReadiness struct {
	URL   string `json:"url" example:"postgres://blogd:xxxxx@replica1:5432/blogd" doc:"its URL, the password masked"`
	LagMS int64  `json:"lag_ms" example:"12" doc:"how long ago the primary wrote past what it has replayed, in milliseconds"`
	State string `json:"state" enum:"ok,lagging,down" example:"ok" doc:"ok: serves reads; lagging: behind more than --replica-max-lag; down: does not answer or is not a standby"`
}

// healthStatus is the body of the health checks.
type healthStatus struct {
	Status string `json:"status" example:"ok"`
}

func (s *server) registerHealth(a huma.API) {
	// The health checks take no input, so they cannot answer 422.
	live := getOp("healthz", "/healthz", "Liveness: the process is up", tagHealth)
	live.Errors = []int{http.StatusInternalServerError}
	register(a, s, allow(live, access{public: true}),
		func(ctx context.Context, _ *struct{}) (*body[healthStatus], error) {
			return &body[healthStatus]{Body: healthStatus{Status: "ok"}}, nil
		})
	op := getOp("readyz", "/readyz", "Readiness: the database answers (and, with replicas, how each is)", tagHealth)
	op.Errors = []int{http.StatusServiceUnavailable}
	register(a, s, allow(op, access{public: true}), func(ctx context.Context, _ *struct{}) (*body[readiness], error) {
		if err := s.store.Ping(ctx); err != nil {
			s.log.ErrorContext(ctx, "readiness check failed", "err", err)
			return nil, huma.Error503ServiceUnavailable("database unavailable")
		}
		out := readiness{Status: "ok"}
		if rs := s.store.Replicas(); rs != nil {
			// A lagging or down replica leaves blogd ready: reads go to the primary.
			out.Primary = "ok"
			for _, r := range rs {
				out.Replicas = append(out.Replicas, replicaReadiness{URL: r.URL, State: r.State, LagMS: r.Lag.Milliseconds()})
			}
		}
		return &body[readiness]{Body: out}, nil
	})
}
