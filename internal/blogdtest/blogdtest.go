// Package blogdtest builds the blogd binary and runs it, for the tests that
// drive the real program from outside: the crash test, the README's
// examples and the browser test of /docs.
package blogdtest

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build builds blogd into a temporary folder of t and returns its path, or
// returns the binary that BLOGD_BIN names.
func Build(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("BLOGD_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "blogd")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/blogd/blogd/cmd/blogd").CombinedOutput()
	if err != nil {
		t.Fatalf("go build blogd: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a free address of 127.0.0.1.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Server is a running blogd serve.
type Server struct {
	// Base is its URL, http://host:port.
	Base string
	cmd  *exec.Cmd
	out  syncBuffer
	// exited is closed once the process has ended; waitErr is then set.
	exited  chan struct{}
	waitErr error
}

// Start runs bin serve on addr with the database db and the further
// arguments args, and waits until /readyz answers 200. When the test ends
// it stops the server with SIGINT (SIGKILL after 15 s), and shows its
// output if the test failed.
func Start(t testing.TB, bin, db, addr string, args ...string) *Server {
	t.Helper()
	s := &Server{Base: "http://" + addr, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr, "--db", db, "--log-format", "json"}, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start blogd: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop(os.Interrupt, 15*time.Second)
		if t.Failed() {
			t.Logf("blogd (%v):\n%s", s.waitErr, s.Output())
		}
	})
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-s.exited:
			t.Fatalf("blogd exited before it was ready: %v\n%s", s.waitErr, s.Output())
		default:
		}
		resp, err := client.Get(s.Base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("blogd not ready at %s after 30s: %v\n%s", s.Base, err, s.Output())
		}
	}
}

// Kill ends the server at once (SIGKILL), as a crash would, and waits
// until it is gone.
func (s *Server) Kill() { s.stop(syscall.SIGKILL, 0) }

// stop sends sig unless the process has ended, waits up to grace, then
// kills it.
func (s *Server) stop(sig os.Signal, grace time.Duration) {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// Output is what the server has written so far (its logs).
func (s *Server) Output() string { return s.out.String() }

// syncBuffer is a bytes.Buffer that the process's output and the test may
// use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
