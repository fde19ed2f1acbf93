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

// createAdmin makes the first admin with blogd user create.
func createAdmin(t *testing.T, bin, db string) {
	t.Helper()
	cmd := exec.Command(bin, "user", "create", "--db", db, "--username", "root", "--email", "root@example.com", "--admin")
	cmd.Env = append(os.Environ(), "BLOGD_PASSWORD="+adminPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
}

const adminPassword = "root password for tests"

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
	addr := blogdtest.FreeAddr(t)
	createAdmin(t, bin, db)
	srv := blogdtest.Start(t, bin, db, addr)
	base := srv.Base
	client := &http.Client{Timeout: 5 * time.Second}
	token := signIn(t, base, "root", adminPassword)

	_, user, err := postJSON(client, "", base+"/users", `{"username":"ada","email":"ada@example.com","password":"12345678"}`)
	if err != nil || user == 0 {
		t.Fatalf("create user: %v", err)
	}
	_, post, err := postJSON(client, token, base+"/posts", fmt.Sprintf(`{"title":"t","content":"c","user_id":%d}`, user))
	if err != nil || post == 0 {
		t.Fatalf("create post: %v", err)
	}

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
	blogdtest.Start(t, bin, db, addr)
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
