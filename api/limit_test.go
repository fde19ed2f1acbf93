package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/internal/testdb"
)

// Past its rate, a client address gets 429 with Retry-After; other
// addresses and the health checks are served.
func TestRateLimitPerClient(t *testing.T) {
	e := newEnvWith(t, testdb.SQLite, func(c *api.Config) { c.RateLimit, c.RateBurst = 0.5, 3 })
	get := func(from, path string) *http.Response {
		resp, err := clientFrom(from).Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 3 {
		if r := get("127.0.0.2", "/users"); r.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d", i, r.StatusCode)
		}
	}
	r := get("127.0.0.2", "/users")
	if r.StatusCode != 429 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("past the burst: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if after, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || after < 1 || after > 2 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r := get("127.0.0.2", "/healthz"); r.StatusCode != 200 {
		t.Errorf("health check limited: %d", r.StatusCode)
	}
	if r := get("127.0.0.3", "/users"); r.StatusCode != 200 {
		t.Errorf("another address: %d", r.StatusCode)
	}
	// The document says so.
	doc := e.call("GET", "/openapi.json", nil, 200, nil)
	if !strings.Contains(string(doc.body), "Too many requests from this client address") {
		t.Errorf("429 not documented")
	}
}

// No limit by default.
func TestNoRateLimitByDefault(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	for range 50 {
		e.call("GET", "/users", nil, 200, nil)
	}
}

// CORS: the configured origins get their preflight answered and may read
// the answers; others get no CORS headers.
func TestCORS(t *testing.T) {
	e := newEnvWith(t, testdb.SQLite, func(c *api.Config) { c.CORSOrigins = []string{"https://blog.example.com"} })
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/posts", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	r := preflight("https://blog.example.com")
	if r.StatusCode/100 != 2 || r.Header.Get("Access-Control-Allow-Origin") != "https://blog.example.com" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
	if r := preflight("https://evil.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", r.Header)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/users", nil)
	req.Header.Set("Origin", "https://blog.example.com")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://blog.example.com" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("simple request: %d %v", resp.StatusCode, resp.Header)
	}
}

// With one turn for reads, concurrent reads all get their answers, taking
// turns, while writes go on beside them.
func TestReadsTakeTurns(t *testing.T) {
	e := newEnvWith(t, testdb.SQLite, func(c *api.Config) { c.ReadConcurrency = 1 })
	ada := e.user("ada")
	post := e.post(ada)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			path := []string{"/users", fmt.Sprintf("/posts/%d?include=author,comments.author", post), "/healthz"}[i%3]
			resp, err := http.Get(e.srv.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		})
		if i%4 == 0 {
			e.comment(post, ada, 0)
		}
	}
	wg.Wait()
}
