package pglocal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDir makes a directory the server user can traverse when the tests run
// as root (t.TempDir's parents are 0700), removed after the test. Cleanups
// run last-in first-out, so a Stop registered after this runs before the
// removal (TempDir prefers /dev/shm, which keeps the tests' timing meaningful).
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := TempDir("pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func startT(t *testing.T, dir string, opts Options) *Cluster {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, dir, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, c *Cluster) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("connect %s: %v", c.URL("postgres"), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec1(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func stop(t *testing.T, c *Cluster) {
	t.Helper()
	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	dir := testDir(t)

	t0 := time.Now()
	c := startT(t, dir, Options{Fast: true})
	t.Logf("initdb + start: %v", time.Since(t0))
	if !c.initialized || !c.owned {
		t.Fatalf("first start: initialized=%v owned=%v, want both", c.initialized, c.owned)
	}
	if c.Port() == 0 {
		t.Fatal("Port() = 0")
	}
	if want := "postgres://ptdv@/postgres?host=" + dir + "/run&port="; !strings.HasPrefix(c.URL("postgres"), want) {
		t.Errorf("URL = %q, want prefix %q", c.URL("postgres"), want)
	}

	conn := connect(t, c)
	var version, fsync, walLevel string
	if err := conn.QueryRow(context.Background(), "SELECT version(), current_setting('fsync'), current_setting('wal_level')").
		Scan(&version, &fsync, &walLevel); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "PostgreSQL ") || fsync != "off" || walLevel != "minimal" {
		t.Errorf("version() = %q, fsync = %q, wal_level = %q; want PostgreSQL, off, minimal", version, fsync, walLevel)
	}
	exec1(t, conn, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)")

	// A second Start while the server runs reuses it and must not stop it.
	t0 = time.Now()
	c2 := startT(t, dir, Options{})
	t.Logf("start, server already running: %v", time.Since(t0))
	if c2.owned || c2.initialized || c2.Port() != c.Port() || c2.URL("x") != c.URL("x") {
		t.Fatalf("reuse: owned=%v initialized=%v port=%d (want %d)", c2.owned, c2.initialized, c2.Port(), c.Port())
	}
	stop(t, c2)
	exec1(t, conn, "SELECT 1") // still up
	conn.Close(context.Background())

	stop(t, c)
	stop(t, c) // idempotent
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after Stop: %v", err)
	}

	// Restart: the data directory is reused, not initdb'd again.
	t0 = time.Now()
	c3 := startT(t, dir, Options{})
	t.Logf("start, existing cluster: %v", time.Since(t0))
	if c3.initialized || !c3.owned {
		t.Fatalf("restart: initialized=%v owned=%v, want false, true", c3.initialized, c3.owned)
	}
	var n int
	if err := connect(t, c3).QueryRow(context.Background(), "SELECT id FROM kept").Scan(&n); err != nil || n != 42 {
		t.Fatalf("table made before restart: %d, %v", n, err)
	}
}

// deadPID returns the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestStalePostmasterPid(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	c := startT(t, dir, Options{Fast: true})
	pidPath := filepath.Join(dir, "data", "postmaster.pid")
	pidFileBytes, err := os.ReadFile(pidPath)
	if err != nil {
		t.Fatal(err)
	}
	stop(t, c)

	for _, tc := range []struct {
		name string
		pid  int
	}{
		{"dead PID", deadPID(t)},
		// A live process that is not postgres: this test binary.
		{"recycled PID", os.Getpid()},
	} {
		// What a crash leaves: the old file with another PID.
		lines := strings.SplitN(string(pidFileBytes), "\n", 2)
		stale := fmt.Sprintf("%d\n%s", tc.pid, lines[1])
		if err := os.WriteFile(pidPath, []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		// As root the file must belong to the server user, like the
		// real one.
		if fi, err := os.Stat(filepath.Join(dir, "data")); err == nil {
			st := fi.Sys().(*syscall.Stat_t)
			if err := os.Chown(pidPath, int(st.Uid), int(st.Gid)); err != nil {
				t.Fatal(err)
			}
		}
		c := startT(t, dir, Options{Fast: true})
		if !c.owned {
			t.Fatalf("%s: reused instead of started", tc.name)
		}
		exec1(t, connect(t, c), "SELECT 1")
		stop(t, c)
	}
}

func TestRestartAfterKill(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	// Not Fast: with synchronous_commit=off a commit may still sit in
	// shared memory when the postmaster dies, and the table would be lost.
	c := startT(t, dir, Options{})
	exec1(t, connect(t, c), "CREATE TABLE t (id int)")
	pf, err := readPidFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil || pf == nil {
		t.Fatalf("read postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pf.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c2 := startT(t, dir, Options{Fast: true})
	if !c2.owned {
		t.Fatal("restart after kill reused a dead server")
	}
	conn := connect(t, c2)
	exec1(t, conn, "SELECT count(*) FROM t")
	// The first Cluster's postmaster is dead; stopping it must not stop
	// the new one.
	stop(t, c)
	exec1(t, conn, "SELECT 1")
}

func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	// A long directory name forces the socket into /tmp (sun_path limit).
	dir := filepath.Join(testDir(t), strings.Repeat("long-directory-name-", 5))
	const n = 4
	var (
		wg       sync.WaitGroup
		clusters [n]*Cluster
		errs     [n]error
	)
	for i := range n {
		wg.Go(func() {
			clusters[i], errs[i] = Start(context.Background(), dir, Options{Fast: true, Logger: testLogger(t)})
		})
	}
	wg.Wait()
	for _, c := range clusters {
		if c != nil {
			t.Cleanup(func() { c.Stop(context.Background()) })
		}
	}
	var owners, inits int
	for i, c := range clusters {
		if errs[i] != nil {
			t.Fatalf("Start %d: %v", i, errs[i])
		}
		if c.owned {
			owners++
		}
		if c.initialized {
			inits++
		}
		if c.Port() != clusters[0].Port() {
			t.Errorf("cluster %d port %d, cluster 0 port %d", i, c.Port(), clusters[0].Port())
		}
	}
	if owners != 1 || inits != 1 {
		t.Fatalf("owners=%d initdbs=%d, want 1 and 1", owners, inits)
	}
	if !strings.HasPrefix(clusters[0].socketDir, "/tmp/ptdv-pg-") {
		t.Errorf("socket dir %q, want one under /tmp for a long path", clusters[0].socketDir)
	}
	exec1(t, connect(t, clusters[0]), "SELECT 1")
}

func TestNoServer(t *testing.T) {
	t.Parallel()
	_, err := Start(context.Background(), testDir(t), Options{BinDir: t.TempDir(), Logger: testLogger(t)})
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Start with empty BinDir: %v, want ErrNoServer", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y postgresql") || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("error %q does not say how to fix it", err)
	}
}

func TestUntraversableDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to another user")
	}
	t.Parallel()
	private := testDir(t)
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), filepath.Join(private, "pg"), Options{Logger: testLogger(t)})
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+private) {
		t.Fatalf("Start under a 0700 root directory: %v, want a traversal error", err)
	}
}

func TestDebianBinDirOrder(t *testing.T) {
	var got [][]int
	for _, s := range []string{"9.6", "15", "10", "16"} {
		v, _ := parseVersion(s)
		got = append(got, v)
	}
	if !versionLess(got[0], got[2]) || !versionLess(got[2], got[1]) || !versionLess(got[1], got[3]) {
		t.Fatal("want 9.6 < 10 < 15 < 16")
	}
	if _, ok := parseVersion("15.conf"); ok {
		t.Fatal("parsed a non-version directory name")
	}
}

// TestTCPNeedsPassword: over 127.0.0.1 nobody gets in without a password, not even as the superuser
// (which has none); a role with a password does. A cluster made by an older ptdv (initdb --auth=trust)
// is closed at its next start.
func TestTCPNeedsPassword(t *testing.T) {
	t.Parallel()
	dir := testDir(t)
	c := startT(t, dir, Options{Fast: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tcp := func(user string) string {
		return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", user, c.Port())
	}
	refused := func(what, url string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			conn.Close(ctx)
			t.Fatalf("%s: connected over TCP without a password", what)
		}
		if !strings.Contains(err.Error(), "password") {
			t.Fatalf("%s: %v; want a password refusal", what, err)
		}
	}
	refused("superuser", tcp(superuser))

	sock := connect(t, c)
	exec1(t, sock, "CREATE ROLE tcp_user LOGIN PASSWORD 'right-password'")
	refused("role with a password, none given", tcp("tcp_user"))
	refused("wrong password", strings.Replace(tcp("tcp_user"), "tcp_user@", "tcp_user:wrong@", 1))
	conn, err := pgx.Connect(ctx, strings.Replace(tcp("tcp_user"), "tcp_user@", "tcp_user:right-password@", 1))
	if err != nil {
		t.Fatalf("role with its password over TCP: %v", err)
	}
	conn.Close(ctx)

	// The socket's directory is private to the server's user.
	fi, err := os.Stat(c.socketDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory %s: %v, %v; want mode 0700", c.socketDir, fi.Mode(), err)
	}

	// An old cluster's trust-all pg_hba.conf is replaced at the next start.
	stop(t, c)
	if err := os.WriteFile(filepath.Join(c.dataDir, "pg_hba.conf"), []byte("host all all 127.0.0.1/32 trust\nlocal all all trust\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c.user != nil {
		if err := c.user.chown(filepath.Join(c.dataDir, "pg_hba.conf")); err != nil {
			t.Fatal(err)
		}
	}
	c = startT(t, dir, Options{Fast: true})
	refused("superuser after restarting an old cluster", tcp(superuser))
}
