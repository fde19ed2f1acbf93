package api_test

// Contract tests: the OpenAPI document that blogd serves is valid OpenAPI
// 3.1, names every route the router serves, and describes every request and
// response of the integration suite. (*env).raw, which sends every request of
// the suite, hands each exchange to checkContract below.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	valerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi/datamodel"
)

// contract is the OpenAPI document as GET /openapi.json serves it, with a
// validator built from it.
type contract struct {
	raw       []byte
	doc       oaDocument
	validator validator.Validator
	// operations routes a request to its documented operation exactly as
	// the server's ServeMux does: one pattern per operation.
	operations *http.ServeMux
}

// oaDocument is the part of an OpenAPI document the structural checks read.
type oaDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]oaSchema `json:"schemas"`
	} `json:"components"`
}

type oaOperation struct {
	OperationID string   `json:"operationId"`
	Summary     string   `json:"summary"`
	Tags        []string `json:"tags"`
	Parameters  []struct {
		Name     string   `json:"name"`
		In       string   `json:"in"`
		Required bool     `json:"required"`
		Schema   oaSchema `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Required bool                   `json:"required"`
		Content  map[string]oaMediaType `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Description string                     `json:"description"`
		Headers     map[string]json.RawMessage `json:"headers"`
		Content     map[string]oaMediaType     `json:"content"`
	} `json:"responses"`
}

type oaMediaType struct {
	Schema  oaSchema        `json:"schema"`
	Example json.RawMessage `json:"example"`
}

type oaSchema struct {
	Ref        string              `json:"$ref"`
	Type       any                 `json:"type"`
	Items      *oaSchema           `json:"items"`
	Properties map[string]oaSchema `json:"properties"`
	Examples   []any               `json:"examples"`
}

// httpMethods are the keys of a path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations returns the document's operations as "METHOD /path".
func (d oaDocument) operations(t testing.TB) map[string]oaOperation {
	t.Helper()
	ops := map[string]oaOperation{}
	for path, item := range d.Paths {
		for method, raw := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			var op oaOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

var (
	contractOnce sync.Once
	contractVal  *contract
	contractErr  error
)

// loadContract builds the contract once per test binary.
func loadContract(t testing.TB) *contract {
	t.Helper()
	contractOnce.Do(func() { contractVal, contractErr = newContract() })
	if contractErr != nil {
		t.Fatalf("contract: %v", contractErr)
	}
	return contractVal
}

func newContract() (*contract, error) {
	// Serving the document touches no store, so none is opened.
	h := api.NewHandler(api.Config{Logger: slog.New(slog.DiscardHandler), Version: "test"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET /openapi.json: %d %s", rec.Code, rec.Body)
	}
	c := &contract{raw: rec.Body.Bytes(), operations: http.NewServeMux()}
	if err := json.Unmarshal(c.raw, &c.doc); err != nil {
		return nil, fmt.Errorf("decode /openapi.json: %w", err)
	}
	doc, err := parseDocument(c.raw)
	if err != nil {
		return nil, fmt.Errorf("parse /openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator: %v", errs)
	}
	c.validator = v
	for path, item := range c.doc.Paths {
		for method := range item {
			if slices.Contains(httpMethods, method) {
				c.operations.HandleFunc(strings.ToUpper(method)+" "+path, func(http.ResponseWriter, *http.Request) {})
			}
		}
	}
	return c, nil
}

// parseDocument parses an OpenAPI document. A comment thread holds a list
// of comment threads: that array is a legitimate circular reference (an
// empty list ends it), which libopenapi reports unless told otherwise.
func parseDocument(b []byte) (libopenapi.Document, error) {
	cfg := datamodel.NewDocumentConfiguration()
	cfg.IgnoreArrayCircularReferences = true
	cfg.Logger = slog.New(slog.DiscardHandler)
	return libopenapi.NewDocumentWithConfiguration(b, cfg)
}

// operation returns the documented operation ("METHOD /path") that serves
// req, or "" when no operation does.
func (c *contract) operation(req *http.Request) string {
	_, pattern := c.operations.Handler(req)
	return pattern
}

// isInputRejection reports whether status is the server refusing a request's
// shape: not JSON (415) or invalid (422).
func isInputRejection(status int) bool {
	return status == http.StatusUnsupportedMediaType || status == http.StatusUnprocessableEntity
}

// violations checks one exchange against the document: the response must be
// one the document describes for the operation (status, content type,
// headers, body schema), and the server must reject exactly the requests
// that the document calls invalid.
//
// Requests that match no documented operation are not checked: they are the
// 404/405 answers of the fallback for unknown routes and methods
// (withProblemFallback in errors.go), which are not operations, and the
// document's own route and the docs page. The fallback's answers are
// checked by the tests of errors.go.
func (c *contract) violations(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []string {
	op := c.operation(req)
	if op == "" {
		return nil
	}
	// Each validation reads the bodies, so each gets fresh readers.
	fresh := func() (*http.Request, *http.Response) {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		r.ContentLength = int64(len(reqBody))
		w := *resp
		w.Body = io.NopCloser(bytes.NewReader(respBody))
		w.Request = r
		return r, &w
	}
	var out []string
	r, w := fresh()
	if ok, errs := c.validator.ValidateHttpResponse(r, w); !ok {
		out = append(out, fmt.Sprintf("the response is not one the document describes for %s:\n%s\nresponse: %d %s %s",
			op, formatErrors(errs), resp.StatusCode, resp.Header.Get("Content-Type"), respBody))
	}
	r, _ = fresh()
	reqOK, reqErrs := c.validator.ValidateHttpRequestSync(r)
	switch {
	case !reqOK && !isInputRejection(resp.StatusCode) && resp.StatusCode != http.StatusRequestEntityTooLarge &&
		resp.StatusCode != http.StatusUnauthorized: // a missing token is refused before the input is read
		out = append(out, fmt.Sprintf("the document calls the request to %s invalid, but the server answered %d:\n%s",
			op, resp.StatusCode, formatErrors(reqErrs)))
	case reqOK && isInputRejection(resp.StatusCode) && !isForm(req):
		out = append(out, fmt.Sprintf("the document calls the request to %s valid, but the server rejected it: %d %s",
			op, resp.StatusCode, respBody))
	}
	return out
}

// isForm reports a form body (POST /auth/token), whose fields the validator
// does not check: the token endpoint's own tests check its 422s.
func isForm(req *http.Request) bool {
	return strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// checkContract fails the test when an exchange of the suite breaks the
// contract (see violations). It is called by (*env).raw.
func (e *env) checkContract(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	e.t.Helper()
	for _, v := range loadContract(e.t).violations(req, reqBody, resp, respBody) {
		e.t.Errorf("contract: %s %s: %s", req.Method, req.URL.RequestURI(), v)
	}
}

func formatErrors(errs []*valerrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s\n", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "      %s %s\n", s.FieldPath, s.Reason)
		}
	}
	return b.String()
}

// The document is OpenAPI 3.1 and valid against the specification's schema,
// as a validator library checks it.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	c := loadContract(t)
	if !strings.HasPrefix(c.doc.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", c.doc.OpenAPI)
	}
	if ok, errs := c.validator.ValidateDocument(); !ok {
		t.Errorf("the document is not valid OpenAPI 3.1:\n%s", formatErrors(errs))
	}

	// The check has teeth: a broken document fails it.
	var broken map[string]any
	if err := json.Unmarshal(c.raw, &broken); err != nil {
		t.Fatal(err)
	}
	broken["paths"].(map[string]any)["/users"].(map[string]any)["get"].(map[string]any)["responses"] = "none"
	b, err := json.Marshal(broken)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) == 0 {
		if ok, _ := v.ValidateDocument(); ok {
			t.Errorf("a document whose responses is a string passed validation")
		}
	}
}

// Each operation names, documents and gives examples for its input, its
// success and every error it can answer, each error as problem+json.
func TestOpenAPIOperationsAreComplete(t *testing.T) {
	c := loadContract(t)
	ops := c.doc.operations(t)
	if len(ops) < 40 {
		t.Fatalf("only %d operations documented", len(ops))
	}
	ids := map[string]string{}
	for key, op := range ops {
		method, path, _ := strings.Cut(key, " ")
		if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
			t.Errorf("%s: operationId %q, summary %q, tags %v", key, op.OperationID, op.Summary, op.Tags)
		}
		if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", key, other, op.OperationID)
		}
		ids[op.OperationID] = key

		hasPathParam, hasQuery := false, false
		for _, p := range op.Parameters {
			switch p.In {
			case "path":
				hasPathParam = true
				if !p.Required || len(p.Schema.Examples) == 0 {
					t.Errorf("%s: path parameter %s: required %v, examples %v", key, p.Name, p.Required, p.Schema.Examples)
				}
			case "query":
				hasQuery = true
			}
		}
		if n := strings.Count(path, "{"); n != countIn(op, "path") {
			t.Errorf("%s: %d path parameters in the path, %d documented", key, n, countIn(op, "path"))
		}

		// The errors each kind of input can cause.
		want := []int{http.StatusInternalServerError}
		if hasPathParam {
			want = append(want, http.StatusNotFound, http.StatusUnprocessableEntity)
		}
		if hasQuery {
			want = append(want, http.StatusUnprocessableEntity)
		}
		if op.RequestBody != nil {
			want = append(want, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge,
				http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
			mt, ok := op.RequestBody.Content["application/json"]
			if key == "POST /auth/token" { // OAuth2's password flow posts a form
				mt, ok = op.RequestBody.Content["application/x-www-form-urlencoded"]
				ok = ok && len(mt.Schema.Properties) > 0
			} else {
				ok = ok && mt.Schema.Ref != ""
			}
			if !op.RequestBody.Required || !ok {
				t.Errorf("%s: request body must be required application/json with a schema", key)
			}
		}
		successes := 0
		for code, resp := range op.Responses {
			status, err := strconv.Atoi(code)
			if err != nil {
				t.Errorf("%s: response %q: every response must have its own status", key, code)
				continue
			}
			if resp.Description == "" {
				t.Errorf("%s %d: no description", key, status)
			}
			switch {
			case status < 300:
				successes++
				if status == http.StatusNoContent {
					if len(resp.Content) != 0 {
						t.Errorf("%s 204: has content", key)
					}
					break
				}
				if _, ok := resp.Content["application/json"]; !ok || len(resp.Content) != 1 {
					t.Errorf("%s %d: content %v, want application/json only", key, status, keys(resp.Content))
				}
				if status == http.StatusCreated {
					if _, ok := resp.Headers["Location"]; !ok {
						t.Errorf("%s 201: no Location header", key)
					}
				}
			case status >= 400:
				mt, ok := resp.Content["application/problem+json"]
				if !ok || len(resp.Content) != 1 || mt.Schema.Ref != "#/components/schemas/ErrorModel" {
					t.Errorf("%s %d: content %v, want application/problem+json ErrorModel only", key, status, keys(resp.Content))
				}
				if len(mt.Example) == 0 {
					t.Errorf("%s %d: no example", key, status)
				}
			}
		}
		if successes != 1 {
			t.Errorf("%s: %d success responses, want 1", key, successes)
		}
		for _, status := range want {
			if _, ok := op.Responses[strconv.Itoa(status)]; !ok {
				t.Errorf("%s: %d is not among its responses %v", key, status, keys(op.Responses))
			}
		}
		if method == http.MethodGet && op.RequestBody != nil {
			t.Errorf("%s: a GET with a body", key)
		}
	}
}

// Every field of every schema has an example, or is an object or list of
// objects whose fields have theirs. huma's own problem schemas are the
// exception: each problem response carries a whole example instead (checked
// above and below).
func TestOpenAPISchemasHaveExamples(t *testing.T) {
	c := loadContract(t)
	for name, s := range c.doc.Components.Schemas {
		if name == "ErrorModel" || name == "ErrorDetail" {
			continue
		}
		if len(s.Properties) == 0 {
			t.Errorf("schema %s has no properties", name)
		}
		for prop, ps := range s.Properties {
			if ps.Items != nil && len(ps.Examples) == 0 {
				ps = *ps.Items
			}
			if len(ps.Examples) == 0 && ps.Ref == "" {
				t.Errorf("%s.%s: no example", name, prop)
			}
		}
	}
}

// The example of every error response is itself a response the document
// describes for that operation.
func TestOpenAPIErrorExamplesMatchTheDocument(t *testing.T) {
	c := loadContract(t)
	for key, op := range c.doc.operations(t) {
		method, path, _ := strings.Cut(key, " ")
		concrete := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "1")
		for code, resp := range op.Responses {
			mt, ok := resp.Content["application/problem+json"]
			if !ok {
				continue
			}
			status, _ := strconv.Atoi(code)
			req := httptest.NewRequest(method, concrete, nil)
			w := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/problem+json"}}}
			w.Body = io.NopCloser(bytes.NewReader(mt.Example))
			if ok, errs := c.validator.ValidateHttpResponse(req, w); !ok {
				t.Errorf("%s %d: example %s:\n%s", key, status, mt.Example, formatErrors(errs))
			}
			var p problem
			if err := json.Unmarshal(mt.Example, &p); err != nil || p.Status != status || p.Title != http.StatusText(status) {
				t.Errorf("%s %d: example %s", key, status, mt.Example)
			}
		}
	}
}

// Every route the router serves is in the document, and every operation in
// the document is a route: the patterns registered on the server's mux are
// the document's operations plus the document's and the docs page's own
// routes, which are not API operations. (A GET pattern also serves HEAD, as
// net/http's ServeMux does for every GET route.)
func TestEveryRouteIsDocumented(t *testing.T) {
	c := loadContract(t)
	ops := c.doc.operations(t)
	notOperations := []string{
		"GET /openapi.json", "GET /openapi.yaml", "GET /openapi-3.0.json", "GET /openapi-3.0.yaml",
		"GET /docs", "GET /docs/assets/{name}",
		"GET /metrics", // Prometheus' text format, for scrapers, not API clients
	}
	patterns := api.RoutePatterns()
	seen := map[string]bool{}
	for _, p := range patterns {
		if seen[p] {
			t.Errorf("pattern %q registered twice", p)
		}
		seen[p] = true
		if _, ok := ops[p]; !ok && !slices.Contains(notOperations, p) {
			t.Errorf("the router serves %q, which the document does not describe", p)
		}
	}
	for _, p := range notOperations {
		if !seen[p] {
			t.Errorf("the router does not serve %q", p)
		}
	}
	for key := range ops {
		if !seen[key] {
			t.Errorf("the document describes %q, which the router does not serve", key)
		}
	}
	if len(patterns) != len(ops)+len(notOperations) {
		t.Errorf("%d patterns, %d operations + %d other routes", len(patterns), len(ops), len(notOperations))
	}
}

// Every documented operation answers on the real server, from huma's input
// validation rather than from the fallback: a bad path or query value, or
// an empty body, gets the operation's 422 (and each exchange is checked
// against the document by raw); an operation without input answers 200.
func TestEveryDocumentedOperationIsServed(t *testing.T) {
	e := newEnv(t, testdb.SQLite) // signed in as an admin: every operation reads its input

	c := loadContract(t)
	for key, op := range c.doc.operations(t) {
		method, path, _ := strings.Cut(key, " ")
		url := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x")
		var body []byte
		contentType := ""
		if op.RequestBody != nil {
			body, contentType = []byte("{}"), "application/json"
			if _, form := op.RequestBody.Content["application/x-www-form-urlencoded"]; form {
				body, contentType = []byte("grant_type=password"), "application/x-www-form-urlencoded"
			}
		}
		want := http.StatusUnprocessableEntity
		switch {
		case url != path:
		case hasQuery(op, "limit"):
			url += "?limit=0"
		case countIn(op, "query") > 0:
			url += "?include_limit=0"
		case body != nil:
		default:
			want = http.StatusOK
		}
		r := e.raw(method, url, contentType, body)
		if r.status != want {
			t.Errorf("%s: %s %s: %d, want %d: %s", key, method, url, r.status, want, r.body)
			continue
		}
		if want == http.StatusUnprocessableEntity {
			var p problem
			if err := json.Unmarshal(r.body, &p); err != nil || len(p.Errors) == 0 {
				t.Errorf("%s: %s %s: %s", key, method, url, r.body)
			}
		}
	}
}

// The exchange check fails what the document does not describe: an
// undocumented status, a body that breaks its schema, a wrong content
// type, and a request the document calls invalid that the server accepted.
func TestContractCatchesDrift(t *testing.T) {
	c := loadContract(t)
	user := `{"id":1,"username":"ada","email":"ada@example.com","created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:00Z"}`
	for _, tc := range []struct {
		name        string
		method, url string
		reqBody     string
		status      int
		contentType string
		respBody    string
		want        string // "" for no violation
	}{
		{"described", "GET", "/users/1", "", 200, "application/json", user, ""},
		{"problem", "GET", "/users/1", "", 404, "application/problem+json",
			`{"title":"Not Found","status":404,"detail":"User not found"}`, ""},
		{"not an operation", "PUT", "/users/1", "", 405, "application/problem+json", `{}`, ""},
		{"undocumented status", "GET", "/users/1", "", 409, "application/problem+json",
			`{"title":"Conflict","status":409,"detail":"x"}`, "not one the document describes"},
		{"missing field", "GET", "/users/1", "", 200, "application/json",
			`{"id":1,"email":"ada@example.com","created_at":"2026-11-24T10:00:00Z"}`, "not one the document describes"},
		{"unknown field", "GET", "/users/1", "", 200, "application/json",
			strings.Replace(user, `"id":1`, `"id":1,"password":"x"`, 1), "not one the document describes"},
		{"bad format", "GET", "/users/1", "", 200, "application/json",
			strings.Replace(user, "2026-11-24T10:00:00Z", "yesterday", 1), "not one the document describes"},
		{"error as plain JSON", "GET", "/users/1", "", 404, "application/json",
			`{"title":"Not Found","status":404,"detail":"User not found"}`, "not one the document describes"},
		{"list of the wrong items", "GET", "/users", "", 200, "application/json", `[{"id":"1"}]`,
			"not one the document describes"},
		{"invalid request accepted", "POST", "/users", `{"username":""}`, 201, "application/json", user,
			"calls the request to POST /users invalid"},
		{"valid request rejected", "POST", "/users", `{"username":"ada","email":"ada@example.com","password":"12345678"}`, 422,
			"application/problem+json", `{"title":"Unprocessable Entity","status":422,"detail":"validation failed"}`,
			"calls the request to POST /users valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rb []byte
			req := httptest.NewRequest(tc.method, "http://127.0.0.1"+tc.url, nil)
			if tc.reqBody != "" {
				rb = []byte(tc.reqBody)
				req.Header.Set("Content-Type", "application/json")
			}
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {tc.contentType}}}
			if tc.status == http.StatusCreated {
				resp.Header.Set("Location", "/users/1")
			}
			got := strings.Join(c.violations(req, rb, resp, []byte(tc.respBody)), "\n")
			if tc.want == "" && got != "" {
				t.Errorf("unexpected violation:\n%s", got)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("violations %q, want one saying %q", got, tc.want)
			}
		})
	}
}

// GET /docs on the API serves the embedded Swagger UI page for
// /openapi.json, and GET /openapi.json the document, each with its type.
func TestDocsAndOpenAPIRoutes(t *testing.T) {
	h := api.NewHandler(api.Config{Logger: slog.New(slog.DiscardHandler), Version: "test"})
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/openapi.json", "application/openapi+json", `"openapi":"3.1.0"`},
		{"/openapi.yaml", "application/openapi+yaml", "openapi: 3.1.0"},
		{"/docs", "text/html; charset=utf-8", `data-spec-url="/openapi.json"`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tc.contentType ||
			!strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: %d %q, want 200 %q containing %q", tc.path, rec.Code,
				rec.Header().Get("Content-Type"), tc.contentType, tc.contains)
		}
	}
	// huma's own docs page, which loads its scripts from a CDN, is gone.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	if strings.Contains(rec.Body.String(), "unpkg.com") || strings.Contains(rec.Body.String(), "https://") {
		t.Errorf("GET /docs refers to another site:\n%s", rec.Body)
	}
}

func countIn(op oaOperation, in string) int {
	n := 0
	for _, p := range op.Parameters {
		if p.In == in {
			n++
		}
	}
	return n
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hasQuery reports whether op takes the query parameter name.
func hasQuery(op oaOperation, name string) bool {
	for _, p := range op.Parameters {
		if p.In == "query" && p.Name == name {
			return true
		}
	}
	return false
}
