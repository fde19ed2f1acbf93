package main

import (
	"database/sql"
	"fmt"
	"net/http"
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
	createAdmin(t, bin, url)
	srv := blogdtest.Start(t, bin, url, blogdtest.FreeAddr(t), "--log-level", "warn")
	client := &http.Client{Timeout: 10 * time.Second}
	token := signIn(t, srv.Base, "root", adminPassword)

	ws := startWrites(8, func(w, i int) (int, int64, error) {
		return postJSON(client, token, srv.Base+"/categories", fmt.Sprintf(`{"name":"w%d_%d"}`, w, i))
	})
	time.Sleep(700 * time.Millisecond)
	c.Primary.Stop() // immediate: a crash
	atKill := len(ws.ackedSoFar())
	c.Standbys[0].Promote()

	// blogd writes again through the new primary, with no restart.
	for deadline := time.Now().Add(30 * time.Second); len(ws.ackedSoFar())-atKill < 20; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no writes through the new primary 30 s after the promotion (%d acknowledged before the kill)", atKill)
		}
	}
	acked, failed := ws.end()
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
