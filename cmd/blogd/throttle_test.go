package main

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/blogd/blogd/internal/testdb"
)

// Two blogd processes on one PostgreSQL database count the same failed
// sign-ins: five wrong passwords, alternating between them, block the
// sixth try on either, the right password included.
func TestThrottleSharedByProcesses(t *testing.T) {
	serverURL := os.Getenv("BLOGD_TEST_POSTGRES")
	if serverURL == "" {
		if os.Getenv("BLOGD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("BLOGD_TEST_REQUIRE_POSTGRES=1 but BLOGD_TEST_POSTGRES is not set")
		}
		t.Skip("BLOGD_TEST_POSTGRES is not set")
	}
	db := testdb.PostgresSchema(t, serverURL)
	bin := blogdtest.Build(t)
	cmd := exec.Command(bin, "user", "create", "--db", db, "--username", "root", "--email", "root@example.com", "--admin")
	cmd.Env = append(os.Environ(), "BLOGD_PASSWORD="+adminPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	servers := []*blogdtest.Server{
		blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t)),
		blogdtest.Start(t, bin, db, blogdtest.FreeAddr(t)),
	}
	signInStatus := func(base, password string) int {
		resp, err := http.PostForm(base+"/auth/token", url.Values{"username": {"root"}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if status := signInStatus(servers[i%2].Base, "wrong"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	for i, s := range servers {
		if status := signInStatus(s.Base, adminPassword); status != http.StatusTooManyRequests {
			t.Errorf("process %d after five failures over both: %d, want 429", i+1, status)
		}
	}
}
