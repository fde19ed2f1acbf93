package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
)

// blogd backup while 8 writers post comments: the copy passes
// integrity_check and holds every comment acknowledged before the backup
// began; the server keeps serving writes while it runs.
func TestBackupUnderWrites(t *testing.T) {
	bin := blogdtest.Build(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
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
	var acked []int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, id, err := postJSON(client, token, fmt.Sprintf("%s/posts/%d/comments", base, post),
					fmt.Sprintf(`{"content":"c %d %d","user_id":%d}`, w, i, user))
				if err != nil || status != http.StatusCreated {
					t.Errorf("write: %d %v", status, err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	out := filepath.Join(dir, "copy.db")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"backup", "--db", db, "--to", out}, func(string) string { return "" }, &stdout, &stderr)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "integrity_check: ok") {
		t.Errorf("backup said %q", stdout.String())
	}
	if len(before) < 10 {
		t.Fatalf("only %d writes before the backup", len(before))
	}
	t.Logf("%d comments acknowledged before the backup, %d while it ran", len(before), during)

	conn, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var check string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q %v", check, err)
	}
	rows, err := conn.Query("SELECT id FROM comments")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	for _, id := range before {
		if !have[id] {
			t.Errorf("comment %d, acknowledged before the backup, is not in the copy", id)
		}
	}

	// A second backup to the same file is refused, and leaves it as it is.
	err = run(context.Background(), []string{"backup", "--db", db, "--to", out}, func(string) string { return "" }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
}
