package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
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
		done <- run(ctx, []string{"serve"}, env(map[string]string{"BLOGD_ADDR": addr, "BLOGD_DB": db, "BLOGD_TOKEN_TTL": "2m"}), &bytes.Buffer{}, &stderr)
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
	// The token lives as long as --token-ttl says.
	resp, err = http.Post("http://"+addr+"/auth/token", "application/x-www-form-urlencoded", strings.NewReader("username=ada&password=12345678"))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ExpiresIn int `json:"expires_in"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.ExpiresIn != 120 {
		t.Errorf("expires_in %d, want 120 (BLOGD_TOKEN_TTL=2m)", tok.ExpiresIn)
	}

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
	want := "categories comments goose_db_version page_blocks post_categories posts posts_search posts_search_config " +
		"posts_search_data posts_search_docsize posts_search_idx profiles roles search_version signin_failures table_versions tokens user_roles users"
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
	// blogd user's help names every subcommand and role flag.
	out.Reset()
	if err := run(context.Background(), []string{"user", "--help"}, env(nil), &out, &bytes.Buffer{}); err != nil {
		t.Errorf("user --help: %v", err)
	}
	for _, want := range []string{"create", "--admin", "--moderator", "grant", "password"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("blogd user --help lacks %s:\n%s", want, out.String())
		}
	}
}

// Mistakes get one line that says what was wrong, and no usage dump.
func TestCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--bogus"}, "unknown flag --bogus; 'blogd serve --help' lists the flags"},
		{[]string{"serve", "--token-ttl", "abc"}, `"abc" is not a valid value for --token-ttl`},
		{[]string{"serve", "--rate-limit"}, "--rate-limit needs a value"},
		{[]string{"serve", "--memory-limit", "-1"}, "--memory-limit must not be negative"},
		{[]string{"serve", "--read-concurrency", "-1"}, "--read-concurrency must not be negative"},
		{[]string{"migrate", "--db", "mysql://root:secret@x/db"}, "--db mysql://root:xxxxx@x/db: give a SQLite file path or a postgres:// URL"},
		{[]string{"user"}, "no subcommand"},
		{[]string{"user", "create", "--db", filepath.Join(dir, "u.db"), "--username", "bad name", "--email", "b@example.com"}, "username: expected string to be letters"},
		{[]string{"user", "create", "--db", filepath.Join(dir, "u.db"), "--username", "bob", "--email", "Bob <b@example.com>"}, "email: expected string to be a bare address"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(map[string]string{"BLOGD_PASSWORD": "a long password"}), &bytes.Buffer{}, &stderr)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want a one-line usage error with %q", tc.args, err, tc.want)
		}
		if tc.args[0] != "user" && stderr.Len() > 0 {
			t.Errorf("%v printed %q", tc.args, stderr.String())
		}
	}
	// A database that cannot be opened is named.
	missing := filepath.Join(dir, "no", "such", "folder", "x.db")
	err := run(context.Background(), []string{"migrate", "--db", missing}, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing folder: %v", err)
	}
}

// serve's memory limit reaches the runtime, and the runtime's own
// variables win over it.
func TestMemoryLimit(t *testing.T) {
	limit, gc := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(limit); debug.SetGCPercent(gc) })
	for _, tc := range []struct {
		mib           int
		env           map[string]string
		wantLimit     int64
		wantGCPercent int
	}{
		{24, nil, 24 << 20, 400},
		{64, map[string]string{"GOGC": "150"}, 64 << 20, 150},
		{24, map[string]string{"GOMEMLIMIT": "1GiB"}, math.MaxInt64, 100},
		{0, nil, math.MaxInt64, 100},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		if tc.env["GOGC"] != "" {
			debug.SetGCPercent(150) // as the runtime would have from GOGC
		}
		setMemoryLimit(tc.mib, env(tc.env))
		if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
			t.Errorf("%d MiB, env %v: limit %d, want %d", tc.mib, tc.env, got, tc.wantLimit)
		}
		if got := debug.SetGCPercent(100); got != tc.wantGCPercent {
			t.Errorf("%d MiB, env %v: GOGC %d, want %d", tc.mib, tc.env, got, tc.wantGCPercent)
		}
	}
}

// migrate says what it did; seed twice and a taken email say why they fail
// in a sentence, not a constraint's name.
func TestCommandsSayWhatHappened(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", db}, env(nil), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 00001_schema.sql") || !strings.Contains(out.String(), "at schema version") {
		t.Errorf("first migrate: %q", out.String())
	}
	out.Reset()
	run(context.Background(), []string{"migrate", "--db", db}, env(nil), &out, &bytes.Buffer{})
	if !strings.Contains(out.String(), "up to date") || strings.Contains(out.String(), "applied") {
		t.Errorf("second migrate: %q", out.String())
	}
	seedArgs := []string{"seed", "--db", db, "--users", "3", "--posts-per-user", "1", "--comments-per-post", "1"}
	if err := run(context.Background(), seedArgs, env(nil), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), seedArgs, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || strings.Contains(err.Error(), "constraint") || !strings.Contains(err.Error(), "--prefix") {
		t.Errorf("second seed: %v", err)
	}
	pw := env(map[string]string{"BLOGD_PASSWORD": "a long password"})
	create := []string{"user", "create", "--db", db, "--username", "Ada", "--email", "Ada@Example.com"}
	if err := run(context.Background(), create, pw, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	create[5], create[7] = "other", "ADA@example.COM"
	err = run(context.Background(), create, pw, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || err.Error() != "cannot create the account: email already taken" {
		t.Errorf("taken email: %v", err)
	}
}

// The way back: grant a role to an existing account, and reset a password
// (which ends the account's tokens).
func TestUserGrantAndPassword(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	pw := env(map[string]string{"BLOGD_PASSWORD": "a long password"})
	ctx := context.Background()
	if err := run(ctx, []string{"user", "create", "--db", db, "--username", "ada", "--email", "ada@example.com"}, pw, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "grant", "--db", db, "--username", "ADA", "--role", "admin"}, env(nil), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	conn.QueryRow(`SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id
		WHERE u.username = 'ada' AND r.name = 'admin'`).Scan(&n)
	if n != 1 {
		t.Errorf("ada is not an admin after grant (%q)", out.String())
	}
	// Twice is harmless.
	if err := run(ctx, []string{"user", "grant", "--db", db, "--username", "ada", "--role", "admin"}, env(nil), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("second grant: %v", err)
	}
	err = run(ctx, []string{"user", "grant", "--db", db, "--username", "nobody", "--role", "admin"}, env(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || err.Error() != "cannot grant the role: User not found" {
		t.Errorf("unknown user: %v", err)
	}

	var before string
	conn.QueryRow("SELECT password_hash FROM users WHERE username = 'ada'").Scan(&before)
	if _, err := conn.Exec("INSERT INTO tokens (token_hash, user_id, created_at, expires_at) SELECT 'h', id, '2026-01-01 00:00:00', '2099-01-01 00:00:00' FROM users WHERE username = 'ada'"); err != nil {
		t.Fatal(err)
	}
	newPW := env(map[string]string{"BLOGD_PASSWORD": "another long password"})
	if err := run(ctx, []string{"user", "password", "--db", db, "--username", "ada"}, newPW, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var after string
	conn.QueryRow("SELECT password_hash FROM users WHERE username = 'ada'").Scan(&after)
	conn.QueryRow("SELECT count(*) FROM tokens").Scan(&n)
	if after == before || after == "" || n != 0 {
		t.Errorf("password: hash changed %v, %d tokens left", after != before, n)
	}
	short := env(map[string]string{"BLOGD_PASSWORD": "short"})
	err = run(ctx, []string{"user", "password", "--db", db, "--username", "ada"}, short, &bytes.Buffer{}, &bytes.Buffer{})
	var ue usageError
	if !errors.As(err, &ue) {
		t.Errorf("short password: %v", err)
	}
}
