package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

func TestRequestIDAndAccessLog(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	id := e.user("ada")

	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/users/%d", e.srv.URL, id), nil)
	req.Header.Set("X-Request-ID", "trace-abc-123")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got != "trace-abc-123" {
		t.Errorf("X-Request-ID %q, want the client's", got)
	}
	// A missing or unusable id is replaced by a generated one.
	req.Header.Set("X-Request-ID", "bad id\twith spaces")
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	generated := resp.Header.Get("X-Request-ID")
	if generated == "" || strings.ContainsAny(generated, " \t") {
		t.Errorf("generated X-Request-ID %q", generated)
	}

	// One access line per request, with the route pattern, not the path.
	var line string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "request_id=trace-abc-123") {
			line = l
		}
	}
	for _, want := range []string{"msg=request", "method=GET", `route="GET /users/{id}"`, "status=200", "duration_ms=", "bytes="} {
		if !strings.Contains(line, want) {
			t.Errorf("access line %q lacks %s", line, want)
		}
	}
	if !strings.Contains(e.logs.String(), "request_id="+generated) {
		t.Errorf("no access line for the generated id")
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	id := e.user("ada")
	for range 3 {
		e.call("GET", fmt.Sprintf("/users/%d", id), nil, 200, nil)
	}
	e.fail("GET", "/users/999999", nil, 404, "User not found")
	r := e.raw("GET", "/metrics", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	body := string(r.body)
	for _, want := range []string{
		`blogd_http_requests_total{method="GET",route="GET /users/{id}",status="200"} 3`,
		`blogd_http_requests_total{method="GET",route="GET /users/{id}",status="404"} 1`,
		`blogd_http_requests_total{method="POST",route="POST /users",status="201"} 1`,
		`blogd_http_request_duration_seconds_bucket{method="GET",route="GET /users/{id}",status="200",le="+Inf"} 3`,
		`blogd_http_requests_in_flight 1`, // this request
		`go_sql_open_connections{db_name="read"}`,
		`go_sql_open_connections{db_name="write"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestProblemForUnmatchedRoutesIsJSON(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	r := e.raw("DELETE", "/users", "", nil)
	var p problem
	if r.status != 405 || json.Unmarshal(r.body, &p) != nil || p.Status != 405 {
		t.Errorf("DELETE /users: %d %s", r.status, r.body)
	}
	if !strings.Contains(e.logs.String(), `route=unmatched`) {
		t.Errorf("unmatched request not logged as such")
	}
}

// An error line names its request, so that it can be matched to the access
// line, and the access line gives its duration's unit.
func TestErrorLinesCarryTheRequestID(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	e.store.Close() // the readiness check now fails, and logs why
	req, _ := http.NewRequest("GET", e.srv.URL+"/readyz", nil)
	req.Header.Set("X-Request-ID", "trace-err-1")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("readyz on a closed store: %d", resp.StatusCode)
	}
	found := false
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			found = true
			if !strings.Contains(l, "request_id=trace-err-1") {
				t.Errorf("error line without its request id: %s", l)
			}
		}
	}
	if !found {
		t.Errorf("no error line in\n%s", e.logs)
	}
	e.logs.Reset() // the errors were the point
}

// A PATCH refused for a null field is counted under its route, not as an
// unmatched path.
func TestNullCheckNamesTheRoute(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	id := e.user("ada")
	e.fail("PATCH", fmt.Sprintf("/users/%d", id), `{"email":null}`, 422, "")
	if !strings.Contains(e.logs.String(), `route="PATCH /users/{id}"`) || strings.Contains(e.logs.String(), "unmatched") {
		t.Errorf("log:\n%s", e.logs)
	}
	m := e.call("GET", "/metrics", nil, 200, nil)
	if !strings.Contains(string(m.body), `blogd_http_requests_total{method="PATCH",route="PATCH /users/{id}",status="422"} 1`) {
		t.Errorf("no metric for the refused PATCH")
	}
}

// The docs page shows the groups in a fixed order, the document's.
func TestTagsInOrder(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	var doc struct {
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
	}
	e.call("GET", "/openapi.json", nil, 200, &doc)
	var names []string
	for _, tag := range doc.Tags {
		names = append(names, tag.Name)
	}
	if got := strings.Join(names, ","); got != "users,profiles,posts,categories,comments,roles,health" {
		t.Errorf("tags %s", got)
	}
}

// Every answer says what its statements cost, in Server-Timing, and the
// count is the statements the database saw.
func TestServerTiming(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	ada := e.user("ada")
	e.post(ada)
	timing := regexp.MustCompile(`^db;dur=[0-9.]+;desc="([0-9]+) statements?"$`)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/posts?limit=100", 200},
		{"GET", fmt.Sprintf("/users/%d", ada), 200},
		{"GET", "/posts/999999", 404},
		{"GET", "/healthz", 200},
		{"PATCH", fmt.Sprintf("/users/%d", ada), 200},
	} {
		before := e.queries.Load()
		var body any
		if tc.method == "PATCH" {
			body = map[string]any{"username": "ada2"}
		}
		r := e.do(tc.method, tc.path, body)
		seen := e.queries.Load() - before
		m := timing.FindStringSubmatch(r.header.Get("Server-Timing"))
		if r.status != tc.status || m == nil {
			t.Fatalf("%s %s: %d, Server-Timing %q", tc.method, tc.path, r.status, r.header.Get("Server-Timing"))
		}
		if n, _ := strconv.ParseInt(m[1], 10, 64); n != seen {
			t.Errorf("%s %s: Server-Timing counts %d statements, the database saw %d", tc.method, tc.path, n, seen)
		}
	}
}
