package central

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// pgServer is a throw-away PostgreSQL cluster for tests: Debian's server
// binaries (package postgresql), initdb and pg_ctl into a temporary
// directory, a Unix socket in it and TCP on 127.0.0.1 at a free port. Run as
// root, the server runs as the user postgres (PostgreSQL refuses root).
type pgServer struct {
	t      testing.TB
	bin    string
	dir    string
	data   string
	sock   string
	port   int
	runAs  string // "postgres" when the test runs as root
	extra  []string
	uid    int
	gid    int
	logf   string
	Passwd string // the password of the role "sensor"
}

// pgBinDir finds the newest /usr/lib/postgresql/N/bin with pg_ctl.
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(dirs[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(dirs[j]))))
		return vi < vj
	})
	if len(dirs) == 0 {
		return ""
	}
	return filepath.Dir(dirs[len(dirs)-1])
}

// startPG starts a new cluster with a login role "sensor" owning a
// database "wardwatch". extra are more "-c name=value" server settings.
// It skips the test when the server binaries are absent.
func startPG(t testing.TB, extra ...string) *pgServer {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql (.ci/run does)")
	}
	s := &pgServer{t: t, bin: bin, extra: extra, Passwd: "s3nsor-pw", uid: -1, gid: -1}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no user postgres to run the server as")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			t.Skip("running as root and runuser is missing")
		}
		s.runAs = "postgres"
		s.uid, _ = strconv.Atoi(u.Uid)
		s.gid, _ = strconv.Atoi(u.Gid)
	}
	dir, err := os.MkdirTemp("", "wardwatch-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir, s.data, s.sock, s.logf = dir, filepath.Join(dir, "data"), filepath.Join(dir, "sock"), filepath.Join(dir, "server.log")
	if err := os.Mkdir(s.sock, 0o755); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "superuser-pw")
	if err := os.WriteFile(pw, []byte("admin-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.chown(dir, s.sock, pw)
	t.Cleanup(func() {
		s.stop("immediate")
		os.RemoveAll(dir)
	})
	s.port = freePort(t)
	out, err := s.run("initdb", "-D", s.data, "-U", "postgres", "--pwfile", pw, "-E", "UTF8", "--no-sync",
		"--auth-local=trust", "--auth-host=scram-sha-256")
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.start()
	ctx := context.Background()
	c := s.admin(ctx, "postgres")
	defer c.Close(ctx)
	for _, q := range []string{
		`CREATE ROLE sensor LOGIN PASSWORD '` + s.Passwd + `'`,
		`CREATE DATABASE wardwatch OWNER sensor`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *pgServer) chown(paths ...string) {
	if s.uid < 0 {
		return
	}
	for _, p := range paths {
		if err := os.Chown(p, s.uid, s.gid); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs a server binary, as postgres when root.
func (s *pgServer) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// start starts (or restarts) the server and waits until it accepts
// connections.
func (s *pgServer) start() {
	s.t.Helper()
	opts := []string{"-p", strconv.Itoa(s.port), "-k", s.sock, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"}
	for _, e := range s.extra {
		opts = append(opts, "-c", e)
	}
	out, err := s.run("pg_ctl", "-D", s.data, "-l", s.logf, "-w", "-t", "60", "-o", strings.Join(opts, " "), "start")
	if err != nil {
		log, _ := os.ReadFile(s.logf)
		s.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stop stops the server: mode "immediate" is a crash (no shutdown
// checkpoint, clients cut off), "fast" a clean stop.
func (s *pgServer) stop(mode string) {
	if _, err := os.Stat(filepath.Join(s.data, "postmaster.pid")); err != nil {
		return
	}
	if out, err := s.run("pg_ctl", "-D", s.data, "-m", mode, "-w", "stop"); err != nil {
		s.t.Logf("pg_ctl stop: %v\n%s", err, out)
	}
}

// DSN is a TCP DSN to the database wardwatch as the role sensor, without a
// password (the pusher reads it from a file).
func (s *pgServer) DSN() string {
	return fmt.Sprintf("host=127.0.0.1 port=%d dbname=wardwatch user=sensor sslmode=disable", s.port)
}

// passwordFile writes pw to a new file and returns its path.
func (s *pgServer) passwordFile(pw string) string {
	f := filepath.Join(s.t.TempDir(), "central-password")
	if err := os.WriteFile(f, []byte(pw+"\n"), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return f
}

// admin connects as the superuser over the Unix socket.
func (s *pgServer) admin(ctx context.Context, db string) *pgx.Conn {
	s.t.Helper()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%d user=postgres dbname=%s", s.sock, s.port, db))
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}
