package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/blogd/blogd/internal/pgcluster"
)

// Two blogd processes behind PgBouncer in transaction pooling mode, started
// together (they migrate through it, one at a time by the lock row), under
// concurrent writes and reads: every answer is a success, and every write
// is read back through the other process.
func TestBehindPgBouncer(t *testing.T) {
	serverURL := postgresServer(t)
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	db := "blogd_bouncer_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + db + " WITH (FORCE)") })
	url := pgcluster.StartBouncer(t, serverURL, db)

	bin := blogdtest.Build(t)
	var servers [2]*blogdtest.Server
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i] = blogdtest.Start(t, bin, url, blogdtest.FreeAddr(t))
		}()
	}
	wg.Wait()
	createAdmin(t, bin, url)
	client := &http.Client{Timeout: 5 * time.Second}
	token := signIn(t, servers[0].Base, "root", adminPassword)

	var mu sync.Mutex
	var ids []int64
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				status, id, err := postJSON(client, token, servers[(w+i)%2].Base+"/categories", fmt.Sprintf(`{"name":"w%d_%d"}`, w, i))
				if err != nil || status != http.StatusCreated {
					t.Errorf("write: %d %v", status, err)
					return
				}
				if status, body := get(t, client, fmt.Sprintf("%s/categories/%d", servers[(w+i+1)%2].Base, id), token, ""); status != http.StatusOK {
					t.Errorf("read back through the other process: %d %s", status, body)
					return
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ids) != 320 {
		t.Errorf("%d writes read back, want 320", len(ids))
	}
}
