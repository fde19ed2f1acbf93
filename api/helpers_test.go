package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/internal/sqlcount"
	"github.com/blogd/blogd/password"
	"github.com/blogd/blogd/store"
)

// env is one blogd served over real HTTP on a fresh database. It holds an
// admin account (user 1, "admin") whose token every request carries unless
// the test says otherwise (as).
type env struct {
	t       testing.TB
	srv     *httptest.Server
	store   *store.Store
	queries *sqlcount.Counter
	logs    *bytes.Buffer
	backend backend
	clock   *clock

	token   string // sent with every request; "" sends none
	adminID int64
	// beyondSchema marks requests whose fault no JSON Schema can state (a
	// key given twice): the server rejects them though the document calls
	// them valid, so the contract check skips them.
	beyondSchema bool
	// header holds headers that every request carries (with).
	header http.Header
}

// The test accounts' password; bcrypt at its least cost keeps tests fast.
const testPassword = "correct horse battery staple"

// clock is a settable clock for token expiry and throttling.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newEnv(t testing.TB, b backend) *env {
	t.Helper()
	return newEnvWith(t, b, nil)
}

// newEnvWith is newEnv with the handler's configuration changed by
// configure (nil: none).
func newEnvWith(t testing.TB, b backend, configure func(*api.Config)) *env {
	t.Helper()
	counter := &sqlcount.Counter{}
	st := b.Open(t, store.Options{WrapDriver: counter.Wrap})
	logs := &bytes.Buffer{}
	clk := &clock{now: time.Now()}
	cfg := api.Config{Store: st, Logger: slog.New(slog.NewTextHandler(logs, nil)), Version: "test",
		PasswordCost: password.MinCost, Now: clk.Now, TokenTTL: time.Hour}
	if configure != nil {
		configure(&cfg)
	}
	h := api.NewHandler(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("server logged errors:\n%s", logs)
		}
	})
	e := &env{t: t, srv: srv, store: st, queries: counter, logs: logs, backend: b, clock: clk}
	hash, err := password.Hash(testPassword, password.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateUserWithRole(context.Background(), blogd.UserCreate{Username: "admin", Email: "admin@example.com"}, hash, blogd.RoleAdmin)
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	e.adminID = admin.ID
	e.token = e.signIn("admin", testPassword)
	return e
}

// signIn returns a token for username.
func (e *env) signIn(username, password string) string {
	e.t.Helper()
	form := url.Values{"username": {username}, "password": {password}}
	r := e.raw("POST", "/auth/token", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.status != http.StatusOK {
		e.t.Fatalf("sign in %s: %d %s", username, r.status, r.body)
	}
	var tok blogd.Token
	if err := json.Unmarshal(r.body, &tok); err != nil || tok.AccessToken == "" || tok.TokenType != "bearer" {
		e.t.Fatalf("sign in %s: %s", username, r.body)
	}
	return tok.AccessToken
}

// with returns a view of e whose requests carry the header name: value.
func (e *env) with(name, value string) *env {
	c := *e
	c.header = e.header.Clone()
	if c.header == nil {
		c.header = http.Header{}
	}
	c.header.Set(name, value)
	return &c
}

// as returns a view of e whose requests carry token ("" for none).
func (e *env) as(token string) *env {
	c := *e
	c.token = token
	return &c
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// problem is an RFC 9457 error body.
type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// raw sends a request with a raw body (nil: none) and content type.
func (e *env) raw(method, path, contentType string, body []byte) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range e.header {
		req.Header[k] = v
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	// A 5xx is a bug, but for the 503 of a readiness check that fails.
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
		e.t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	// Every exchange must be one the OpenAPI document describes (contract_test.go).
	if !e.beyondSchema {
		e.checkContract(req, body, resp, b)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// do sends body as JSON (a string is sent as it is) and returns the response.
func (e *env) do(method, path string, body any) response {
	e.t.Helper()
	if body == nil {
		return e.raw(method, path, "", nil)
	}
	var b []byte
	if s, ok := body.(string); ok {
		b = []byte(s)
	} else {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
	}
	return e.raw(method, path, "application/json", b)
}

// call sends a request, checks the status and decodes the body into out.
func (e *env) call(method, path string, body any, want int, out any) response {
	e.t.Helper()
	r := e.do(method, path, body)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// fail sends a request that must fail with status and detail (when detail
// is not empty), in problem+json, and returns the problem.
func (e *env) fail(method, path string, body any, status int, detail string) problem {
	e.t.Helper()
	r := e.do(method, path, body)
	if r.status != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		e.t.Errorf("%s %s: content type %q, want application/problem+json", method, path, ct)
	}
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		e.t.Fatalf("%s %s: decode problem %s: %v", method, path, r.body, err)
	}
	if p.Status != status || p.Title == "" {
		e.t.Errorf("%s %s: problem %+v", method, path, p)
	}
	if detail != "" && p.Detail != detail {
		e.t.Errorf("%s %s: detail %q, want %q", method, path, p.Detail, detail)
	}
	return p
}

// count returns the number of rows of a table, read straight from the file.
func (e *env) count(table string, where string, args ...any) int {
	e.t.Helper()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := e.store.ReadDB().QueryRow(e.store.Rebind(q), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Fixtures: each creates one resource through the API and returns its id.

type idOnly struct {
	ID int64 `json:"id"`
}

func (e *env) user(name string) int64 {
	e.t.Helper()
	var u idOnly
	e.call("POST", "/users", map[string]any{"username": name, "email": name + "@example.com", "password": testPassword}, 201, &u)
	return u.ID
}

func (e *env) category(name string) int64 {
	e.t.Helper()
	var c idOnly
	e.call("POST", "/categories", map[string]any{"name": name}, 201, &c)
	return c.ID
}

func (e *env) role(name string) int64 {
	e.t.Helper()
	var r idOnly
	e.call("POST", "/roles", map[string]any{"name": name}, 201, &r)
	return r.ID
}

func (e *env) post(userID int64, categoryIDs ...int64) int64 {
	e.t.Helper()
	if categoryIDs == nil {
		categoryIDs = []int64{}
	}
	var p idOnly
	e.call("POST", "/posts", map[string]any{"title": "a post", "content": "some words", "user_id": userID,
		"category_ids": categoryIDs}, 201, &p)
	return p.ID
}

func (e *env) comment(postID, userID int64, parentID int64) int64 {
	e.t.Helper()
	body := map[string]any{"content": "a comment", "user_id": userID}
	if parentID != 0 {
		body["parent_id"] = parentID
	}
	var c idOnly
	e.call("POST", fmt.Sprintf("/posts/%d/comments", postID), body, 201, &c)
	return c.ID
}

// ids returns the ids of a JSON list of objects.
func ids(t testing.TB, body []byte) []int64 {
	t.Helper()
	var items []idOnly
	if err := json.Unmarshal(body, &items); err != nil {
		t.Fatalf("decode list %s: %v", body, err)
	}
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// decode unmarshals a JSON body or fails the test.
func decode(t testing.TB, body []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
