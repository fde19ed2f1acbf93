package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
)

// signIn returns a bearer token for the account.
func signIn(t *testing.T, base, username, password string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/auth/token", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("sign in: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// createAdmin makes the first admin with blogd user create, in db (a
// SQLite file or a PostgreSQL URL).
func createAdmin(t *testing.T, bin, db string) {
	t.Helper()
	cmd := exec.Command(bin, "user", "create", "--db", db, "--username", "root", "--email", "root@example.com", "--admin")
	cmd.Env = append(os.Environ(), "BLOGD_PASSWORD="+adminPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
}

const adminPassword = "root password for tests"

// postgresServer is the PostgreSQL server of the tests (BLOGD_TEST_POSTGRES);
// the test is skipped without one, or fails when BLOGD_TEST_REQUIRE_POSTGRES=1.
func postgresServer(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BLOGD_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("BLOGD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("BLOGD_TEST_REQUIRE_POSTGRES=1 but BLOGD_TEST_POSTGRES is not set")
		}
		t.Skip("BLOGD_TEST_POSTGRES is not set")
	}
	return u
}

// postJSON posts body with the bearer token (when not empty) and returns
// the status and the id of the answer.
func postJSON(client *http.Client, token, url, body string) (int, int64, error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return resp.StatusCode, 0, err
	}
	return resp.StatusCode, v.ID, nil
}

// Concurrent writers, then kill -9 of blogd in the middle of them, then a
// restart: every write that got a 2xx is in the database, the database is
// intact, and the server serves again.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := blogdtest.Build(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	srv, client, token, user, post := serveWithPost(t, bin, db)
	base := srv.Base

	var mu sync.Mutex
	var comments, categories []int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var status int
				var id int64
				var err error
				if i%4 == 0 {
					status, id, err = postJSON(client, token, base+"/categories", fmt.Sprintf(`{"name":"w%d_%d"}`, w, i))
				} else {
					status, id, err = postJSON(client, token, fmt.Sprintf("%s/posts/%d/comments", base, post), fmt.Sprintf(`{"content":"c %d %d","user_id":%d}`, w, i, user))
				}
				if err != nil {
					return // the server is gone
				}
				if status == http.StatusCreated {
					mu.Lock()
					if i%4 == 0 {
						categories = append(categories, id)
					} else {
						comments = append(comments, id)
					}
					mu.Unlock()
				} else {
					t.Errorf("write answered %d", status)
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	srv.Kill()
	close(stop)
	wg.Wait()
	if len(comments) < 10 {
		t.Fatalf("only %d writes before the kill; logs:\n%s", len(comments), srv.Output())
	}
	t.Logf("%d comments and %d categories acknowledged before kill -9", len(comments), len(categories))

	// The database as the crash left it, opened directly.
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	var integrity string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	rows, err := conn.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Errorf("foreign_key_check found orphans")
	}
	rows.Close()
	for table, ids := range map[string][]int64{"comments": comments, "categories": categories} {
		present := map[int64]bool{}
		rows, err := conn.Query("SELECT id FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			present[id] = true
		}
		rows.Close()
		lost := 0
		for _, id := range ids {
			if !present[id] {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("%d of %d acknowledged %s lost", lost, len(ids), table)
		}
	}
	conn.Close()

	// And it serves again, reads and writes.
	blogdtest.Start(t, bin, db, strings.TrimPrefix(base, "http://")) // on the same address
	resp, err := client.Get(fmt.Sprintf("%s/comments/%d", base, comments[len(comments)-1]))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read after restart: %v %v", resp, err)
	}
	resp.Body.Close()
	// The token of before the crash still works: tokens live in the database.
	if status, _, err := postJSON(client, token, base+"/categories", `{"name":"after"}`); err != nil || status != 201 {
		t.Fatalf("write after restart: %d %v", status, err)
	}
}

// writes is writers that write until stopped, each through write(w, i)
// with its number w and a count i, and keep the ids of the writes that were
// acknowledged (201).
type writes struct {
	mu     sync.Mutex
	acked  []int64
	failed int
	stop   chan struct{}
	wg     sync.WaitGroup
}

// startWrites starts n writers.
func startWrites(n int, write func(w, i int) (status int, id int64, err error)) *writes {
	ws := &writes{stop: make(chan struct{})}
	for w := range n {
		ws.wg.Add(1)
		go func() {
			defer ws.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-ws.stop:
					return
				default:
				}
				status, id, err := write(w, i)
				ws.mu.Lock()
				ok := err == nil && status == http.StatusCreated
				if ok {
					ws.acked = append(ws.acked, id)
				} else {
					ws.failed++
				}
				ws.mu.Unlock()
				if !ok {
					time.Sleep(20 * time.Millisecond) // the server is down or busy: do not spin
				}
			}
		}()
	}
	return ws
}

// ackedSoFar returns the ids acknowledged so far.
func (ws *writes) ackedSoFar() []int64 {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return slices.Clone(ws.acked)
}

// end stops the writers and returns the ids acknowledged and the number of
// writes that failed.
func (ws *writes) end() ([]int64, int) {
	close(ws.stop)
	ws.wg.Wait()
	return ws.acked, ws.failed
}

// serveWithPost serves the SQLite database db with bin, an admin and a
// user with one post in it, and returns the server, a client, the admin's
// token, and the ids of the user and the post.
func serveWithPost(t *testing.T, bin, db string) (srv *blogdtest.Server, client *http.Client, token string, user, post int64) {
	t.Helper()
	createAdmin(t, bin, db)
	srv = blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t))
	client = &http.Client{Timeout: 5 * time.Second}
	token = signIn(t, srv.Base, "root", adminPassword)
	_, user, err := postJSON(client, "", srv.Base+"/users", `{"username":"ada","email":"ada@example.com","password":"12345678"}`)
	if err != nil || user == 0 {
		t.Fatalf("create user: %v", err)
	}
	_, post, err = postJSON(client, token, srv.Base+"/posts", fmt.Sprintf(`{"title":"t","content":"c","user_id":%d}`, user))
	if err != nil || post == 0 {
		t.Fatalf("create post: %v", err)
	}
	return srv, client, token, user, post
}
