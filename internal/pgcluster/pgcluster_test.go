package pgcluster

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// A row written on the primary is read on the standby.
func TestCluster(t *testing.T) {
	c := Start(t, 1, false)
	p, err := sql.Open("pgx", c.Primary.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Exec("CREATE TABLE x (n int); INSERT INTO x VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	s, err := sql.Open("pgx", c.Standbys[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := s.QueryRow("SELECT n FROM x").Scan(&n)
		if err == nil && n == 42 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby never had the row: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
