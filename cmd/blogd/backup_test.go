package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
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
	srv, client, token, user, post := serveWithPost(t, bin, db)
	base := srv.Base

	ws := startWrites(8, func(w, i int) (int, int64, error) {
		return postJSON(client, token, fmt.Sprintf("%s/posts/%d/comments", base, post), fmt.Sprintf(`{"content":"c %d %d","user_id":%d}`, w, i, user))
	})
	time.Sleep(500 * time.Millisecond)
	before := ws.ackedSoFar()
	out := filepath.Join(dir, "copy.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"backup", "--db", db, "--to", out}, func(string) string { return "" }, &stdout, &stderr)
	during := len(ws.ackedSoFar()) - len(before)
	time.Sleep(200 * time.Millisecond)
	if _, failed := ws.end(); failed > 0 {
		t.Errorf("%d writes failed while the backup ran", failed)
	}
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
