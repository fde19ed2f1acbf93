package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/blogd/blogd/internal/pgcluster"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// A primary with a synchronous standby, blogd on a multi-host URL, eight
// writers: the primary is killed (immediate stop, as a crash) and the
// standby promoted. Every write blogd acknowledged is on the new primary,
// and blogd writes again through it by itself.
func TestFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	c := pgcluster.Start(t, 1, true)
	bin := blogdtest.Build(t)
	url := c.MultiHostURL()
	cmd := exec.Command(bin, "user", "create", "--db", url, "--username", "root", "--email", "root@example.com", "--admin")
	cmd.Env = append(os.Environ(), "BLOGD_PASSWORD="+adminPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	srv := blogdtest.Start(t, bin, url, blogdtest.FreeAddr(t), "--log-level", "warn")
	client := &http.Client{Timeout: 10 * time.Second}
	token := signIn(t, srv.Base, "root", adminPassword)

	var mu sync.Mutex
	var acked []int64
	failed := 0
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
				status, id, err := postJSON(client, token, srv.Base+"/categories", fmt.Sprintf(`{"name":"w%d_%d"}`, w, i))
				mu.Lock()
				if err == nil && status == http.StatusCreated {
					acked = append(acked, id)
				} else {
					failed++
				}
				mu.Unlock()
				if err != nil || status != http.StatusCreated {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	c.Primary.Stop() // immediate: a crash
	mu.Lock()
	atKill := len(acked)
	mu.Unlock()
	c.Standbys[0].Promote()

	// blogd writes again through the new primary, with no restart.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		after := len(acked) - atKill
		mu.Unlock()
		if after >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no writes through the new primary 30 s after the promotion (%d acknowledged before the kill, %d failed)", atKill, failed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d writes acknowledged (%d before the kill), %d failed or refused during the failover", len(acked), atKill, failed)

	db, err := sql.Open("pgx", c.Standbys[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := map[int64]bool{}
	rows, err := db.Query("SELECT id FROM categories")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	lost := 0
	for _, id := range acked {
		if !have[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes are not on the new primary", lost, len(acked))
	}
}
