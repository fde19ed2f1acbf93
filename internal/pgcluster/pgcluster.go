// Package pgcluster starts, for a test, a PostgreSQL primary and streaming
// standbys of its own from Debian's PostgreSQL binaries: each in a temporary
// folder, on a free port of 127.0.0.1, run as the postgres user (initdb
// refuses root), with trust authentication. Every test of replicas and
// failover starts its servers here.
package pgcluster

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is one PostgreSQL server of a cluster.
type Server struct {
	Dir  string // its data folder
	Port int
	// URL is its database test, postgres://postgres@127.0.0.1:port/test.
	URL string
	bin string
	t   testing.TB
}

// Cluster is a primary and its standbys.
type Cluster struct {
	Primary  *Server
	Standbys []*Server
}

// MultiHostURL is the URL of the database test on every server of the
// cluster, the primary first, that connects to whichever takes writes
// (target_session_attrs=read-write): after a failover, the new primary.
func (c *Cluster) MultiHostURL() string {
	hosts := []string{fmt.Sprintf("127.0.0.1:%d", c.Primary.Port)}
	for _, s := range c.Standbys {
		hosts = append(hosts, fmt.Sprintf("127.0.0.1:%d", s.Port))
	}
	return "postgres://postgres@" + strings.Join(hosts, ",") + "/test?sslmode=disable&target_session_attrs=read-write&connect_timeout=2"
}

// binDir finds Debian's PostgreSQL binaries, the newest version there.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		return "", fmt.Errorf("no PostgreSQL binaries in /usr/lib/postgresql/*/bin (Debian's postgresql package)")
	}
	return dirs[len(dirs)-1], nil
}

// Available reports why clusters cannot start here, or nil.
func Available() error {
	if _, err := binDir(); err != nil {
		return err
	}
	if _, err := user.Lookup("postgres"); err != nil {
		return fmt.Errorf("no postgres user: %w", err)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("runs its servers as the postgres user with runuser, which needs root")
	}
	return nil
}

// Start starts a primary and n streaming standbys (hot standbys, read
// only), stopped when the test ends. synchronous makes the primary wait
// for a standby (synchronous_standby_names = '*'), so that no commit is
// answered before a standby holds it.
func Start(t testing.TB, n int, synchronous bool) *Cluster {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("BLOGD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	bin, _ := binDir()
	root, err := os.MkdirTemp("", "blogd-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	chown(t, root)

	primary := &Server{Dir: filepath.Join(root, "primary"), Port: freePort(t), bin: bin, t: t}
	primary.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable", primary.Port)
	asPostgres(t, filepath.Join(bin, "initdb"), "-D", primary.Dir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
	conf := []string{
		"listen_addresses = '127.0.0.1'", "port = " + strconv.Itoa(primary.Port), "unix_socket_directories = '" + root + "'",
		"wal_level = replica", "max_wal_senders = 10", "hot_standby = on", "fsync = on", "wal_keep_size = '256MB'",
	}
	appendConf(t, primary.Dir, conf...)
	appendFile(t, filepath.Join(primary.Dir, "pg_hba.conf"), "host replication all 127.0.0.1/32 trust\n")
	primary.start()
	t.Cleanup(primary.Stop)
	primary.psql("postgres", "CREATE DATABASE test")

	c := &Cluster{Primary: primary}
	for i := range n {
		s := &Server{Dir: filepath.Join(root, fmt.Sprintf("standby%d", i)), Port: freePort(t), bin: bin, t: t}
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable", s.Port)
		asPostgres(t, filepath.Join(bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", "postgres",
			"-D", s.Dir, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast")
		// pg_basebackup -R wrote primary_conninfo (postgresql.auto.conf).
		appendConf(t, s.Dir, "port = "+strconv.Itoa(s.Port))
		s.start()
		t.Cleanup(s.Stop)
		c.Standbys = append(c.Standbys, s)
	}
	if synchronous && n > 0 {
		// Only now: a commit waits for the synchronous standby, and there
		// was none while the database was created and copied.
		primary.psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'")
		primary.psql("postgres", "SELECT pg_reload_conf()")
	}
	return c
}

// start starts the server on its port. A free port can be taken by
// another process before the server binds it (tests run side by side):
// then it tries again on another, at most three times.
func (s *Server) start() {
	s.t.Helper()
	for attempt := 1; ; attempt++ {
		cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(s.bin, "pg_ctl"), "-D", s.Dir,
			"-l", filepath.Join(s.Dir, "log"), "-w", "-t", "60", "start")
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
			s.t.Fatalf("pg_ctl start %s: %v\n%s\n%s", s.Dir, err, out, log)
		}
		s.Port = freePort(s.t)
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable", s.Port)
		appendConf(s.t, s.Dir, "port = "+strconv.Itoa(s.Port))
	}
}

// Stop stops the server at once (immediate: as a crash would), if it runs.
func (s *Server) Stop() {
	cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(s.bin, "pg_ctl"), "-D", s.Dir, "-m", "immediate", "-w", "stop")
	_ = cmd.Run()
}

// Promote makes a standby the primary, and waits until it takes writes.
func (s *Server) Promote() {
	s.t.Helper()
	asPostgres(s.t, filepath.Join(s.bin, "pg_ctl"), "-D", s.Dir, "-w", "promote")
}

// Exec runs sql in the database test on the server.
func (s *Server) Exec(sql string) {
	s.t.Helper()
	s.psql("test", sql)
}

// psql runs sql in database db on the server.
func (s *Server) psql(db, sql string) {
	s.t.Helper()
	asPostgres(s.t, filepath.Join(s.bin, "psql"), "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql)
}

func asPostgres(t testing.TB, name string, args ...string) {
	t.Helper()
	if _, err := os.Stat(name); err != nil {
		name = filepath.Join("/usr/bin", filepath.Base(name)) // psql lives there
	}
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	cmd.Dir = os.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

func chown(t testing.TB, dir string) {
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
}

func appendConf(t testing.TB, dir string, lines ...string) {
	appendFile(t, filepath.Join(dir, "postgresql.conf"), strings.Join(lines, "\n")+"\n")
}

func appendFile(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// freePort is a port of 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Keep it free a moment longer than the listener, as the server binds later.
	defer time.Sleep(10 * time.Millisecond)
	return l.Addr().(*net.TCPAddr).Port
}

// StartBouncer starts Debian's PgBouncer in transaction pooling mode in
// front of database db of the PostgreSQL server at serverURL (its host,
// port, user and password), on a free port, stopped when the test ends,
// and returns its URL of db (with no password: PgBouncer trusts here). The URL
// sets pgx's query mode to exec (no prepared statements kept on a server
// connection, which transaction pooling hands to other clients).
func StartBouncer(t testing.TB, serverURL, db string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if os.Getenv("BLOGD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("pgbouncer is not installed (Debian's pgbouncer package)")
		}
		t.Skip("pgbouncer is not installed (Debian's pgbouncer package)")
	}
	if err := Available(); err != nil {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "blogd-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	chown(t, dir)
	port := freePort(t)
	server, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := server.User.Password()
	conf := fmt.Sprintf(`[databases]
%s = host=%s port=%s user=%s password=%s dbname=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = %s/pgbouncer.log
`, db, server.Hostname(), server.Port(), server.User.Username(), password, db, port, dir, dir)
	for name, text := range map[string]string{"pgbouncer.ini": conf, "users.txt": `"postgres" ""` + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("runuser", "-u", "postgres", "--", bin, filepath.Join(dir, "pgbouncer.ini"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer does not listen on %d:\n%s", port, log)
		}
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&default_query_exec_mode=exec", port, db)
}
