package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestServeAndShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "serve.db")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	// Configuration from the environment only.
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{"BLOGD_ADDR": addr, "BLOGD_DB": db}), &bytes.Buffer{}, &stderr)
	}()

	var resp *http.Response
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/readyz"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("server never answered: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("readyz: %d", resp.StatusCode)
	}
	resp, err = http.Post("http://"+addr+"/users", "application/json", strings.NewReader(`{"username":"ada","email":"ada@example.com","password":"12345678"}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create user: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
	// The write survived the shutdown.
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT count(*) FROM users WHERE username = 'ada'").Scan(&n); err != nil || n != 1 {
		t.Errorf("users: %d, %v", n, err)
	}
}

func TestMigrate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	for range 2 { // twice: the second run finds nothing to do
		if err := run(context.Background(), []string{"migrate", "--db", db}, env(nil), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var tables []string
	rows, err := conn.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		tables = append(tables, s)
	}
	rows.Close()
	want := "categories comments goose_db_version page_blocks post_categories posts profiles roles tokens user_roles users"
	if got := strings.Join(tables, " "); got != want {
		t.Errorf("tables %q, want %q", got, want)
	}
	// Every foreign key column is the first column of some index.
	fks, err := conn.Query(`SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer fks.Close()
	for fks.Next() {
		var table, col string
		fks.Scan(&table, &col)
		var n int
		err := conn.QueryRow(`SELECT count(*) FROM pragma_index_list(?) l, pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = ?`, table, col).Scan(&n)
		if err != nil || n == 0 {
			t.Errorf("foreign key %s.%s has no index (%v)", table, col, err)
		}
	}
}

func TestCommandLine(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, &bytes.Buffer{}); err != nil || !strings.HasPrefix(out.String(), "blogd ") {
		t.Errorf("version: %q %v", out.String(), err)
	}
	for _, args := range [][]string{nil, {"bogus"}, {"serve", "--bogus"}, {"migrate", "extra"}} {
		err := run(context.Background(), args, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if err := run(context.Background(), []string{"serve", "--help"}, env(nil), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("--help: %v", err)
	}
}
