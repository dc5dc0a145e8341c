// Package pglocal runs the embedded default database: a private PostgreSQL
// cluster kept in a directory of ours and started from the server binaries
// installed on the machine (Debian package postgresql). It lets ptdv run
// without any database setup, and gives tests a throw-away server.
//
// Layout of the directory passed to Start:
//
//	.lock            flock taken while initializing, starting and stopping
//	data/            the cluster (PGDATA), made by initdb on first start
//	log/postgres.log the server log (appended across starts)
//	run/             the unix socket, unless that path is too long for a
//	                 socket, in which case /tmp/ptdv-pg-<hash of dir> is used
//
// The superuser is "ptdv". Who may connect is written into data/pg_hba.conf at every start
// (writeHBA): over the unix socket, whose directory is private to the server's OS user (mode 0700), any
// role without a password ("trust": reaching the socket already proves you are that user, or root);
// over TCP on 127.0.0.1 and ::1, only with a password (scram-sha-256). The superuser has none, so it
// is reachable through the socket only; ptdv gives the server's login role a password (kept in
// $PTDV_DATA) for clients that must use TCP.
package pglocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the role initdb creates and URL connects as.
const superuser = "ptdv"

// defaultStartTimeout bounds Start when ctx has no deadline. A cold start
// including initdb takes about a second; crash recovery after an unclean
// shutdown can take longer.
const defaultStartTimeout = 2 * time.Minute

// Options configure Start.
type Options struct {
	// Logger receives progress messages. Nil means slog.Default().
	Logger *slog.Logger

	// Fast trades durability for speed: fsync, synchronous_commit and
	// full_page_writes are off and initdb skips its fsync. A power loss or
	// OS crash can corrupt the cluster, so it is for tests only. It
	// applies to clusters this call starts, not to one it finds already
	// running.
	Fast bool

	// BinDir, when set, is the only directory searched for initdb, pg_ctl
	// and postgres; PATH and /usr/lib/postgresql/*/bin are then ignored.
	// Empty means search PATH, then the highest version under
	// /usr/lib/postgresql/*/bin.
	BinDir string
}

// Cluster is a running server started (or found running) by Start.
type Cluster struct {
	dir       string
	dataDir   string
	logFile   string
	socketDir string // "" when the server has no unix socket (reused only)
	host      string // socketDir, or a TCP address when there is no socket
	port      int
	bins      binaries
	user      *serverUser // who runs the server programs; nil = this process's user
	log       *slog.Logger

	// owned is set when this Start launched the postmaster: only then
	// does Stop stop it, so a second process (or a test) reusing a running
	// server never pulls it from under the process that started it.
	owned bool
	// pid is the postmaster this Start launched; Stop leaves alone a
	// different postmaster that has since taken over the data directory.
	pid int
	// initialized is set when this Start ran initdb.
	initialized bool

	mu      sync.Mutex
	stopped bool
}

// Start makes sure a PostgreSQL server runs on dir and returns it.
//
// If dir/data does not exist, it is created by initdb. If a postmaster
// already runs on dir/data (a live PID in postmaster.pid that answers), it is
// reused and Stop leaves it running. Otherwise the server is started on a
// fresh loopback port; a stale postmaster.pid left by a crash is handled by
// pg_ctl and the postmaster itself. Concurrent Starts on the same dir, from
// any processes, are serialized by an flock on dir/.lock, so only one runs
// initdb and the others reuse its server.
//
// When the process runs as root, the server programs run as the "postgres"
// user (or a system user "ptdv", created if missing), since initdb and
// postgres refuse root; that user must be able to enter dir and its parents.
//
// Errors wrap ErrNoServer when no server binaries are installed.
func Start(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	if err := checkShellSafe(abs); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	c := &Cluster{
		dir:     abs,
		dataDir: filepath.Join(abs, "data"),
		logFile: filepath.Join(abs, "log", "postgres.log"),
		log:     log.With("pgdir", abs),
	}
	begin := time.Now()

	if err := makeTopDir(abs); err != nil {
		return nil, err
	}
	lock, err := lockFile(ctx, filepath.Join(abs, ".lock"))
	if err != nil {
		return nil, err
	}
	defer lock.unlock()

	existingMajor, err := readPGVersion(c.dataDir)
	if err != nil {
		return nil, err
	}
	if c.bins, err = findBinaries(opts.BinDir, existingMajor); err != nil {
		return nil, err
	}
	if existingMajor != "" {
		if err := c.checkMajorVersion(existingMajor); err != nil {
			return nil, err
		}
	}

	if os.Geteuid() == 0 {
		if c.user, err = chooseServerUser(ctx, c.log, c.dataDir); err != nil {
			return nil, err
		}
		if err := checkTraversable(abs, c.user); err != nil {
			return nil, err
		}
	}

	reused, err := c.reuseRunning(ctx)
	if err != nil {
		return nil, err
	}
	if reused {
		c.log.Info("reusing running PostgreSQL server", "port", c.port, "host", c.host, "took", time.Since(begin).Round(time.Millisecond))
		return c, nil
	}

	if existingMajor == "" {
		if err := c.initdb(ctx, opts.Fast); err != nil {
			return nil, err
		}
		c.initialized = true
	}
	if err := c.start(ctx, opts.Fast); err != nil {
		return nil, err
	}
	c.log.Info("started PostgreSQL server", "port", c.port, "socket_dir", c.socketDir,
		"bin_dir", c.bins.dir, "initdb", c.initialized, "fast", opts.Fast, "took", time.Since(begin).Round(time.Millisecond))
	return c, nil
}

// URL returns a postgres:// URL for the superuser over the unix socket, for
// example postgres://ptdv@/ptdv?host=/srv/ptdv/pg/run&port=41234&sslmode=disable.
func (c *Cluster) URL(dbname string) string {
	q := "host=" + queryEscape(c.host) + "&port=" + strconv.Itoa(c.port) + "&sslmode=disable"
	return "postgres://" + superuser + "@/" + url.PathEscape(dbname) + "?" + q
}

// queryEscape escapes a query value but keeps "/" readable; RFC 3986 allows
// it unescaped in a query and pgx accepts both forms.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// Port returns the server's TCP port on 127.0.0.1; the unix socket file uses
// the same number (.s.PGSQL.<port>).
func (c *Cluster) Port() int { return c.port }

// Stop stops the server with pg_ctl stop -m fast (active sessions are
// disconnected, the server shuts down cleanly). It does nothing when Start
// found the server already running, and is safe to call more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	if !c.owned {
		c.stopped = true
		c.log.Debug("leaving PostgreSQL server running: this process did not start it")
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	// Hold the start lock so another process's Start does not find a
	// half-stopped server and try to reuse it.
	lock, err := lockFile(ctx, filepath.Join(c.dir, ".lock"))
	if err != nil {
		return err
	}
	defer lock.unlock()

	pidPath := filepath.Join(c.dataDir, "postmaster.pid")
	if pf, err := readPidFile(pidPath); err == nil && (pf == nil || pf.pid != c.pid || !processAlive(pf.pid)) {
		// Our postmaster is gone (crashed, or stopped by someone
		// else) and possibly replaced by another process's: nothing
		// of ours to stop.
		c.stopped = true
		c.log.Warn("PostgreSQL server started by this process is no longer running", "pid", c.pid)
		return nil
	}
	begin := time.Now()
	out, err := c.command(ctx, c.bins.pgCtl, "stop", "-D", c.dataDir, "-m", "fast", "-w", "-t", timeoutSeconds(ctx)).CombinedOutput()
	if err != nil {
		// pg_ctl fails when the server is already gone (someone else
		// stopped it, or it crashed); that is the state we want.
		if pf, perr := readPidFile(pidPath); perr == nil && (pf == nil || !processAlive(pf.pid)) {
			c.stopped = true
			c.log.Warn("PostgreSQL server was already stopped", "pg_ctl", strings.TrimSpace(string(out)))
			return nil
		}
		return fmt.Errorf("pglocal: pg_ctl stop: %w: %s", err, bytesTrim(out))
	}
	c.stopped = true
	c.removeOutsideSocketDir()
	c.log.Info("stopped PostgreSQL server", "took", time.Since(begin).Round(time.Millisecond))
	return nil
}

// removeOutsideSocketDir removes a socket directory under /tmp (used when
// dir/run is too long) so stopped clusters leave nothing there. The
// postmaster removed its socket and lock files on shutdown, so it is empty;
// os.Remove refuses otherwise, which is the safe outcome.
func (c *Cluster) removeOutsideSocketDir() {
	if c.socketDir == "" || strings.HasPrefix(c.socketDir, c.dir+"/") {
		return
	}
	if err := os.Remove(c.socketDir); err != nil && !errors.Is(err, os.ErrNotExist) {
		c.log.Debug("socket directory not removed", "dir", c.socketDir, "err", err)
	}
}

// makeTopDir creates dir if needed. It and missing parents get 0755 so that
// the server user can traverse them when we are root; what needs protection
// (data, log, run) is created 0700 inside it.
func makeTopDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pglocal: create %s: %w", dir, err)
	}
	return nil
}

// checkShellSafe rejects paths that pg_ctl cannot pass through: it builds a
// /bin/sh command line with the data directory and log file in double quotes.
func checkShellSafe(p string) error {
	if i := strings.IndexAny(p, "\"$`\\\n"); i >= 0 {
		return fmt.Errorf("pglocal: directory %q contains %q, which pg_ctl cannot quote; choose another directory", p, p[i])
	}
	return nil
}

// readPGVersion returns the major version in data/PG_VERSION, or "" when
// there is no initialized cluster.
func readPGVersion(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(dataDir); serr == nil {
			return "", fmt.Errorf("pglocal: %s exists but has no PG_VERSION: not a PostgreSQL data directory; move it away", dataDir)
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("pglocal: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *Cluster) checkMajorVersion(dataMajor string) error {
	binMajor, err := c.bins.majorVersion()
	if err != nil {
		return err
	}
	if binMajor != dataMajor {
		return fmt.Errorf("pglocal: %s was initialized by PostgreSQL %s but the binaries in %s are version %s: "+
			"install postgresql-%s, or dump the data and remove the directory (or use pg_upgrade)",
			c.dataDir, dataMajor, c.bins.dir, binMajor, dataMajor)
	}
	return nil
}

// reuseRunning looks at postmaster.pid. A live postmaster that answers is
// reused; one starting up or shutting down is waited for. A PID that is dead,
// or alive but no longer a postgres process, is stale.
func (c *Cluster) reuseRunning(ctx context.Context) (bool, error) {
	pidPath := filepath.Join(c.dataDir, "postmaster.pid")
	for {
		pf, err := readPidFile(pidPath)
		if err != nil {
			return false, err
		}
		if pf == nil {
			return false, nil
		}
		switch processState(pf.pid) {
		case procGone:
			// Stale after a crash: pg_ctl start warns "another
			// server might be running; trying to start server
			// anyway" and the new postmaster replaces the file.
			c.log.Info("found stale postmaster.pid (process gone); starting anew", "pid", pf.pid)
			return false, nil
		case procZombie, procForeign:
			// The postmaster is dead but its PID still exists (a
			// zombie, or recycled by an unrelated process after a
			// restart). The new postmaster would refuse to start
			// ("lock file already exists") since kill(pid, 0)
			// succeeds, so remove the file. This is safe: orphaned
			// backends of the old postmaster are still detected
			// through its shared memory segment, whose key the new
			// postmaster derives from the data directory.
			c.log.Warn("postmaster.pid names a dead postmaster whose PID still exists; removing the stale file", "pid", pf.pid)
			if err := os.Remove(pidPath); err != nil && !errors.Is(err, os.ErrNotExist) {
				return false, fmt.Errorf("pglocal: remove stale %s: %w", pidPath, err)
			}
			return false, nil
		}
		if pf.status == statusReady && pf.port != 0 {
			c.port = pf.port
			c.socketDir = pf.socketDir
			c.host = pf.socketDir
			if c.host == "" {
				c.host = "127.0.0.1"
			}
			err := c.ping(ctx)
			if err == nil {
				return true, nil
			}
			c.log.Debug("running postmaster does not answer yet", "pid", pf.pid, "err", err)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("pglocal: a postmaster (pid %d, status %q) runs on %s but did not become ready: %w\n%s",
				pf.pid, pf.status, c.dataDir, ctx.Err(), c.logTail(0))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// initdb creates the cluster in data.initdb and renames it to data when
// complete, so that a crash during initdb never leaves a half-made data
// directory that a later Start would try to run.
func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	begin := time.Now()
	tmp := c.dataDir + ".initdb"
	args := []string{"-D", tmp, "-U", superuser, "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8"}
	if fast {
		args = append(args, "--no-sync")
	}
	// C.UTF-8 gives byte-order collation (fast, stable across glibc
	// upgrades, which matters for indexes) with UTF-8 character classes.
	// Systems without that locale get plain C.
	out, err := c.runInitdb(ctx, tmp, append(args, "--locale=C.UTF-8"))
	if err != nil && strings.Contains(strings.ToLower(string(out)), "locale") {
		c.log.Warn("initdb: locale C.UTF-8 unavailable, falling back to --no-locale", "output", strings.TrimSpace(string(out)))
		out, err = c.runInitdb(ctx, tmp, append(args, "--no-locale"))
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("pglocal: initdb (%s): %w: %s", c.bins.initdb, err, bytesTrim(out))
	}
	if err := os.Rename(tmp, c.dataDir); err != nil {
		return fmt.Errorf("pglocal: move new cluster into place: %w", err)
	}
	c.log.Info("initialized PostgreSQL cluster", "bin_dir", c.bins.dir, "took", time.Since(begin).Round(time.Millisecond))
	return nil
}

func (c *Cluster) runInitdb(ctx context.Context, tmp string, args []string) ([]byte, error) {
	// A leftover from an interrupted initdb; we hold the lock, so nobody
	// else is using it.
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("pglocal: remove leftover %s: %w", tmp, err)
	}
	// Creating it ourselves lets us hand it to the server user; initdb
	// accepts an existing empty directory.
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	if err := c.user.chown(tmp); err != nil {
		return nil, err
	}
	return c.command(ctx, c.bins.initdb, args...).CombinedOutput()
}

// start launches the postmaster with pg_ctl. All run-time settings go on its
// command line (postgres -c name=value), which overrides postgresql.conf:
// the port changes at every start and nothing initdb wrote is edited.
func (c *Cluster) start(ctx context.Context, fast bool) error {
	if err := c.prepareDirs(); err != nil {
		return err
	}
	if err := c.writeHBA(); err != nil {
		return err
	}
	// The port is chosen by binding :0 and closing it, so another program
	// may grab it before the postmaster binds; retry with a new one then.
	const attempts = 3
	shmWaits := 0
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		settings := []string{
			"listen_addresses=127.0.0.1",
			"port=" + strconv.Itoa(port),
			"unix_socket_directories=" + c.socketDir,
			"unix_socket_permissions=0700",
			// A private cluster never streams or archives its WAL. With wal_level=minimal a COPY into a
			// table truncated in the same transaction, and an index build, write no WAL: the seed's load
			// and index phase write their data once instead of twice.
			"wal_level=minimal", "max_wal_senders=0",
		}
		if fast {
			settings = append(settings, "fsync=off", "synchronous_commit=off", "full_page_writes=off")
		}
		var o []string
		for _, s := range settings {
			o = append(o, "-c", shellQuote(s))
		}
		logOffset := fileSize(c.logFile)
		out, err := c.command(ctx, c.bins.pgCtl, "start", "-D", c.dataDir, "-l", c.logFile,
			"-w", "-t", timeoutSeconds(ctx), "-o", strings.Join(o, " ")).CombinedOutput()
		if err == nil {
			pf, err := readPidFile(filepath.Join(c.dataDir, "postmaster.pid"))
			if err != nil || pf == nil {
				return fmt.Errorf("pglocal: server started but postmaster.pid is unreadable: %v", err)
			}
			c.pid = pf.pid
			c.port = port
			c.host = c.socketDir
			c.owned = true
			if err := c.ping(ctx); err != nil {
				return fmt.Errorf("pglocal: server started but does not accept connections: %w\n%s", err, c.logTail(logOffset))
			}
			return nil
		}
		tail := c.logTail(logOffset)
		// pg_ctl gives up waiting but leaves a slow postmaster running;
		// do not leave an orphan behind.
		c.killStarted()
		if attempt < attempts && strings.Contains(tail, "Address already in use") {
			c.log.Warn("port taken before the server could bind it; retrying", "port", port)
			continue
		}
		// After a postmaster crash its backends notice within
		// milliseconds and exit; until then the new postmaster refuses
		// to share their memory. Give them a few seconds.
		if shmWaits < 50 && strings.Contains(tail, "pre-existing shared memory block") {
			shmWaits++
			attempt--
			c.log.Info("backends of the crashed postmaster are still exiting; retrying")
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		return fmt.Errorf("pglocal: pg_ctl start: %w: %s\nserver log (%s):\n%s", err, strings.TrimSpace(string(out)), c.logFile, tail)
	}
}

// hba is the authentication the embedded cluster accepts (see the package documentation).
const hba = `# Written by ptdv at every start of the embedded cluster (internal/pglocal); edits are lost.
# The unix socket's directory is private to the server's OS user: reaching it is the credential.
local   all   all                   trust
# TCP only with a password: the superuser has none, so it cannot log in this way.
host    all   all   127.0.0.1/32    scram-sha-256
host    all   all   ::1/128         scram-sha-256
`

// writeHBA replaces the cluster's pg_hba.conf, so that a cluster made by an older ptdv (initdb
// --auth=trust, which let any local user in over TCP as the superuser) is closed too.
func (c *Cluster) writeHBA() error {
	p := filepath.Join(c.dataDir, "pg_hba.conf")
	tmp := p + ".ptdv"
	if err := os.WriteFile(tmp, []byte(hba), 0o600); err != nil {
		return fmt.Errorf("pglocal: write %s: %w", tmp, err)
	}
	if err := c.user.chown(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("pglocal: replace %s: %w", p, err)
	}
	return nil
}

// killStarted stops a postmaster left by a failed start attempt.
func (c *Cluster) killStarted() {
	pf, err := readPidFile(filepath.Join(c.dataDir, "postmaster.pid"))
	if err != nil || pf == nil || !processAlive(pf.pid) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.command(ctx, c.bins.pgCtl, "stop", "-D", c.dataDir, "-m", "immediate", "-w").Run()
}

// prepareDirs creates the log and socket directories, owned by the server
// user, and picks the socket directory.
func (c *Cluster) prepareDirs() error {
	logDir := filepath.Dir(c.logFile)
	if err := c.mkdirOwned(logDir, 0o700, false); err != nil {
		return err
	}
	c.socketDir = socketDirFor(c.dir)
	return c.mkdirOwned(c.socketDir, 0o700, !strings.HasPrefix(c.socketDir, c.dir+"/"))
}

// mkdirOwned makes dir (if missing) owned by the server user. For a directory
// in a world-writable place (/tmp) it also checks that an existing one is
// really ours and not a symlink or a directory planted by another user, who
// could otherwise intercept the socket.
func (c *Cluster) mkdirOwned(dir string, perm os.FileMode, shared bool) error {
	err := os.Mkdir(dir, perm)
	switch {
	case err == nil:
		return c.user.chown(dir)
	case !errors.Is(err, os.ErrExist):
		return fmt.Errorf("pglocal: create %s: %w", dir, err)
	case !shared:
		return nil
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	want := uint32(os.Geteuid())
	if c.user != nil {
		want = c.user.uid
	}
	if !fi.IsDir() || fi.Sys().(*syscall.Stat_t).Uid != want || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("pglocal: socket directory %s exists but is not a private directory owned by uid %d; remove it", dir, want)
	}
	return nil
}

// socketDirFor returns dir/run when the socket path fits comfortably in
// sun_path (108 bytes including the NUL, and postgres adds ".lock" for its
// lock file) and holds no character that unix_socket_directories would
// parse (it is a comma-separated, optionally quoted list). Otherwise a short
// directory under /tmp named from a hash of dir, so that each cluster keeps a
// stable socket directory of its own.
func socketDirFor(dir string) string {
	run := filepath.Join(dir, "run")
	if len(run)+len("/.s.PGSQL.65535") <= 100 && !strings.ContainsAny(run, ", '\"\t") {
		return run
	}
	sum := sha256.Sum256([]byte(dir))
	return "/tmp/ptdv-pg-" + hex.EncodeToString(sum[:8])
}

// ping connects once over the socket and runs a query: the proof that the
// URL handed out works.
func (c *Cluster) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(pctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var one int
	return conn.QueryRow(pctx, "SELECT 1").Scan(&one)
}

// command prepares a server program to run as the server user, in the
// cluster directory (the user may not be allowed into our working directory,
// and initdb complains about that), with an environment cleared of PG*
// variables that could redirect it.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = childEnv()
	if c.user != nil {
		cmd.SysProcAttr = c.user.credential()
	}
	return cmd
}

// childEnv is our environment without PG* variables and with the C locale
// for messages, so that the log lines we look for are in English.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LANGUAGE=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// logTail returns the end of the server log written since offset, for error
// messages: the reason a start failed is there, not in pg_ctl's output.
func (c *Cluster) logTail(offset int64) string {
	f, err := os.Open(c.logFile)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	defer f.Close()
	const max = 4000
	if size := fileSize(c.logFile); size-offset > max {
		offset = size - max
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return "(cannot read server log: " + err.Error() + ")"
	}
	b, _ := io.ReadAll(io.LimitReader(f, max))
	return strings.TrimSpace(string(b))
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pglocal: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// timeoutSeconds converts the remaining time of ctx to pg_ctl's -t argument.
func timeoutSeconds(ctx context.Context) string {
	secs := 60
	if d, ok := ctx.Deadline(); ok {
		secs = int(time.Until(d).Seconds())
		if secs < 1 {
			secs = 1
		}
	}
	return strconv.Itoa(secs)
}

// shellQuote quotes s for /bin/sh: pg_ctl passes -o through a shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
