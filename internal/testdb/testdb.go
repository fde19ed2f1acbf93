// Package testdb gives tests a fresh database of each kind blogd supports:
// a new SQLite file, or a new schema on the PostgreSQL server that
// BLOGD_TEST_POSTGRES names.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/blogd/blogd/seed"
	"github.com/blogd/blogd/store"
	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver, for the admin connection
)

// Backend is a kind of database a test runs against.
type Backend struct {
	// Name is "sqlite" or "postgres".
	Name string
	open func(t testing.TB, opts store.Options) *store.Store
}

// Open returns a store on a database of its own, removed when the test ends.
func (b Backend) Open(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	return b.open(t, opts)
}

// SQLite opens a store on a new file in the test's temporary directory.
var SQLite = Backend{Name: "sqlite", open: func(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "blogd.db"), opts)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	return st
}}

// Postgres opens a store in a new schema on the server at serverURL, and
// drops the schema when the test ends.
func Postgres(serverURL string) Backend {
	return Backend{Name: "postgres", open: func(t testing.TB, opts store.Options) *store.Store {
		t.Helper()
		st, err := store.OpenPostgres(context.Background(), PostgresSchema(t, serverURL), opts)
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		return st
	}}
}

// PostgresSchema creates a new, empty schema on the server at serverURL,
// dropped when the test ends, and returns the URL of the database with
// that schema as its search path.
func PostgresSchema(t testing.TB, serverURL string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "blogd_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("postgres: drop schema: %v", err)
		}
	})
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("BLOGD_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Backends lists the databases to test: SQLite always, PostgreSQL when
// BLOGD_TEST_POSTGRES holds a URL. With BLOGD_TEST_REQUIRE_POSTGRES=1 (as in
// CI) a missing PostgreSQL fails the test instead of skipping it.
func Backends(t testing.TB) []Backend {
	out := []Backend{SQLite}
	if u := os.Getenv("BLOGD_TEST_POSTGRES"); u != "" {
		out = append(out, Postgres(u))
	} else if os.Getenv("BLOGD_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatal("BLOGD_TEST_REQUIRE_POSTGRES=1 but BLOGD_TEST_POSTGRES is not set")
	}
	return out
}

// Each runs test once per backend, as a subtest named after it.
func Each(t *testing.T, test func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { test(t, b) })
	}
}

// Seeded opens a SQLite store holding the load harness's default dataset
// (seed.DefaultSpec), for the benchmarks of the data and HTTP layers.
// BLOGD_BENCH_SCALE=N multiplies its users, and with them every other
// table but categories and roles, by N: with 10, the benchmarks run on
// a dataset ten times the default, to show which costs grow with the data.
func Seeded(tb testing.TB) (*store.Store, seed.Counts) {
	tb.Helper()
	spec := seed.DefaultSpec()
	if v := os.Getenv("BLOGD_BENCH_SCALE"); v != "" {
		scale, err := strconv.Atoi(v)
		if err != nil || scale < 1 {
			tb.Fatalf("BLOGD_BENCH_SCALE=%q: want a positive integer", v)
		}
		spec.Users *= scale
	}
	st := SQLite.Open(tb, store.Options{})
	tb.Cleanup(func() { st.Close() })
	n, err := seed.Run(context.Background(), st, spec, nil)
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return st, n
}
