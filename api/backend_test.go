package api_test

import (
	"testing"

	"github.com/blogd/blogd/internal/testdb"
)

// backend is the database a test runs against; see package testdb.
type backend = testdb.Backend

// eachBackend runs test once per backend: SQLite always, PostgreSQL when
// BLOGD_TEST_POSTGRES is set.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	testdb.Each(t, test)
}
