package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/blogd/blogd/internal/blogdtest"
)

// readmeBlock returns the first ```sh block of README.md after heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no %q", heading)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(after)
	if m == nil {
		t.Fatalf("no sh block after %q", heading)
	}
	return m[1]
}

// The README's curl examples run as written against the real binary: every
// request succeeds, and the error example answers its problem.
func TestReadmeExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed (the README reads the token with it)")
	}
	bin := blogdtest.Build(t)
	db := filepath.Join(t.TempDir(), "readme.db")
	cmd := exec.Command(bin, "user", "create", "--db", db, "--username", "root", "--email", "root@example.com", "--admin")
	cmd.Env = append(os.Environ(), "BLOGD_PASSWORD=the password")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	addr := blogdtest.FreeAddr(t)
	blogdtest.Start(t, bin, db, addr)

	examples := readmeBlock(t, "## The relationships, with curl")
	if !strings.Contains(examples, "B=http://127.0.0.1:8000\n") {
		t.Fatalf("the examples no longer set B to the default address:\n%s", examples)
	}
	examples = strings.Replace(examples, "B=http://127.0.0.1:8000\n", "B=http://"+addr+"\n", 1)
	// Every curl must succeed: a 4xx or 5xx stops the script.
	script := "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n" + examples
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the README's examples failed: %v\n%s", err, out)
	}
	if !strings.HasSuffix(strings.TrimSpace(string(out)), "204") {
		t.Errorf("the last example (a delete) did not answer 204:\n%s", out)
	}

	errorsExample := readmeBlock(t, "or more than 64 bytes of a value:")
	script = "B=http://" + addr + "\nJ='Content-Type: application/json'\n" + errorsExample
	out, err = exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"status":422`) || !strings.Contains(string(out), "body.email") {
		t.Errorf("the README's error example: %v\n%s", err, out)
	}
}
