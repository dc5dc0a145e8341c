// Package pgtest is the test harness: every test gets a fresh PostgreSQL
// database, cloned from a template that already holds the migrated schema.
//
// Use it from each package with database tests:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		d := pgtest.New(t)
//		// d.App runs as ptdv_app, as the server does; d.Owner owns the schema.
//	}
//
// The server is the one named by PTDV_TEST_DATABASE_URL if set (a superuser,
// or a role with CREATEDB and CREATEROLE), else a private cluster that Main
// starts with pglocal (Fast) for this test binary and removes afterwards. The
// private cluster lives under $PTDV_TEST_PGDIR if set, else /dev/shm when it
// is a roomy tmpfs, else os.TempDir(); it is copied from a cached initdb
// result kept there (ptdv-pginit-cache-v1-uid<uid>, about 40 MB) instead of
// running initdb each time. Run with -v to see how long the setup took.
//
// Cloning a database from a template is a file-level copy on the server,
// much faster than running the migrations for every test, and gives each
// test its own database so tests can run in parallel and commit freely.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/db"
	"ptdv/internal/pglocal"
)

// EnvDatabaseURL names an existing server to test against instead of a
// private cluster. Its role must be a superuser or have CREATEDB and
// CREATEROLE; its database part is ignored: the harness administers from
// the "postgres" database and creates its own.
const EnvDatabaseURL = "PTDV_TEST_DATABASE_URL"

// harnessVersion is part of the template's hash: bump it when the way the
// template is built changes, so that shared servers do not reuse an old one.
const harnessVersion = "pgtest/1"

// templateLockKey serializes template creation among test binaries sharing a
// server (the ASCII bytes of "ptdvtmpl"); it is taken in the admin database.
const templateLockKey int64 = 0x70746476746d706c

// templateDone marks a template whose migrations completed. A template
// without it was left by a test binary that died while building it.
const templateDone = "ptdv pgtest template: complete"

// LoginRole is the role App logs in as: like the server's (db.LoginRole), a member of ptdv_app only.
// Its password is no secret: the test server is private or a throw-away one.
const LoginRole = "ptdv_test_login"

const loginPassword = "ptdv-test-login"

// EnvNoRLS, set to 1, switches row-level security off in every test database (the two-key test: the
// scope tests must pass on the application's filter alone, and, with PTDV_TEST_NO_APP_FILTER=1, on
// row-level security alone).
const EnvNoRLS = "PTDV_TEST_NO_RLS"

// DB is one test's database.
type DB struct {
	// App logs in as LoginRole and runs as the role ptdv_app, with exactly
	// the privileges the migrations grant the application and under its
	// row-level security: use it for what the server does, with an actor in
	// the context (auth.WithActor), or it sees no personal rows.
	App *bun.DB
	// Owner connects as the owner of the schema (the server's superuser
	// for the private cluster): use it for setup and inspection.
	Owner *bun.DB
	// URL connects as the owner.
	URL string
	// Name is the database's name.
	Name string
}

// errBadConn returned from (*sql.Conn).Raw makes database/sql discard the
// connection instead of returning it to the pool.
var errBadConn = driver.ErrBadConn

// harness is the state Main sets up for New.
type harness struct {
	serverURL string  // the server, as given (its database part is replaced)
	admin     *bun.DB // the admin database, for CREATE/DROP DATABASE
	template  string
	// strategy is appended to CREATE DATABASE. On the private cluster
	// (fsync off, tmpfs) FILE_COPY's two checkpoints cost next to nothing
	// and it cloned the template in about 10 ms against 15 ms for
	// PostgreSQL 15's default WAL_LOG, which writes the whole template
	// into the WAL. On a shared server with fsync on, WAL_LOG was faster
	// (20-40 ms against 40-80 ms), so the default stays there.
	strategy  string
	log       *slog.Logger
	mainStart time.Time
	firstNew  sync.Once
}

var h *harness

// Main prepares the server and the template database, runs the tests and
// cleans up. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	mainStart := time.Now()
	// Parse flags now (m.Run would) so that -v decides how chatty we are.
	if !flag.Parsed() {
		flag.Parse()
	}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("pkg", "pgtest")

	hh, cleanup, err := setup(log, mainStart)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		cleanup()
		return 1
	}
	h = hh
	code := m.Run()
	cleanup()
	return code
}

// setup returns a cleanup function even on error, to undo what was done.
func setup(log *slog.Logger, mainStart time.Time) (*harness, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The signal handler below may run cleanup while setup still adds
	// to the list, hence the mutex.
	var (
		mu       sync.Mutex
		cleanups []func()
		once     sync.Once
	)
	add := func(f func()) {
		mu.Lock()
		cleanups = append(cleanups, f)
		mu.Unlock()
	}
	cleanup := func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		})
	}

	serverURL := os.Getenv(EnvDatabaseURL)
	private := serverURL == ""
	if private {
		t0 := time.Now()
		cluster, dir, stop, err := startCluster(ctx, log)
		if stop != nil {
			add(stop)
		}
		if err != nil {
			return nil, cleanup, err
		}
		serverURL = cluster.URL("postgres")
		log.Info("private PostgreSQL cluster started", "dir", dir, "took", time.Since(t0).Round(time.Millisecond))

		// Ctrl-C would otherwise leave the postmaster running (pg_ctl
		// detaches it from our process group). Test timeouts exit
		// without signals; reapStale catches those next time.
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		go func() {
			if _, ok := <-sigs; ok {
				cleanup()
				os.Exit(1)
			}
		}()
		add(func() { signal.Stop(sigs); close(sigs) })
	}

	// Always the postgres database, whatever the URL names: advisory
	// locks are per database, so test binaries sharing a server must
	// take the template lock in the same one.
	admin, err := db.Open(ctx, withDatabase(serverURL, "postgres"), db.Options{MaxOpenConns: 8, ApplicationName: "ptdv-pgtest"})
	if err != nil {
		return nil, cleanup, fmt.Errorf("connect to the test server: %w", err)
	}
	add(func() { admin.Close() })

	t0 := time.Now()
	template, created, err := ensureTemplate(ctx, log, admin, serverURL, db.Migrations)
	if err != nil {
		return nil, cleanup, err
	}
	log.Info("template database ready", "name", template, "created", created, "took", time.Since(t0).Round(time.Millisecond),
		"since_main", time.Since(mainStart).Round(time.Millisecond))

	hh := &harness{serverURL: serverURL, admin: admin, template: template, log: log, mainStart: mainStart}
	if private {
		var version int
		if err := admin.NewRaw("SELECT current_setting('server_version_num')::int").Scan(ctx, &version); err != nil {
			return nil, cleanup, fmt.Errorf("server version: %w", err)
		}
		if version >= 150000 { // STRATEGY is new in 15
			hh.strategy = " STRATEGY FILE_COPY"
		}
	}
	return hh, cleanup, nil
}

// startCluster starts a private cluster in a fresh directory under the
// system temp dir. The returned stop function stops it and removes the
// directory; it is non-nil as soon as there is something to undo.
func startCluster(ctx context.Context, log *slog.Logger) (*pglocal.Cluster, string, func(), error) {
	reapStale(log)

	base := clusterBaseDir()
	dir, err := os.MkdirTemp(base, clusterDirPrefix)
	if err != nil {
		return nil, "", nil, fmt.Errorf("create cluster directory: %w", err)
	}
	remove := func() {
		if err := os.RemoveAll(dir); err != nil {
			log.Warn("remove test cluster directory", "dir", dir, "err", err)
		}
	}
	// As root the server runs as an unprivileged user, which must be
	// able to enter the directory (MkdirTemp makes it 0700).
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, "", remove, fmt.Errorf("chmod cluster directory: %w", err)
	}
	// Lets a later run tell whether this cluster's test binary still
	// lives (see reapStale).
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, "", remove, fmt.Errorf("write %s: %w", ownerFile, err)
	}
	seeded := true
	if err := seedFromCache(ctx, log, base, dir); err != nil {
		seeded = false
		log.Warn("no initdb cache; running initdb", "err", err)
	}
	opts := pglocal.Options{Logger: log, Fast: true}
	cluster, err := pglocal.Start(ctx, dir, opts)
	if err != nil && seeded {
		// The cache may come from other binaries (a new major
		// version was installed): retry with initdb, and drop the
		// cache so the next run rebuilds it.
		log.Warn("cached cluster did not start; dropping the cache and running initdb", "err", err)
		_ = dropInitCache(ctx, base)
		if rerr := os.RemoveAll(filepath.Join(dir, "data")); rerr != nil {
			return nil, "", remove, fmt.Errorf("%w (and removing the copy: %v)", err, rerr)
		}
		cluster, err = pglocal.Start(ctx, dir, opts)
	}
	if err != nil {
		return nil, "", remove, err
	}
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			log.Warn("stop test cluster", "err", err)
		}
		remove()
	}
	return cluster, dir, stop, nil
}

// ensureTemplate returns the name of a complete template database migrated
// with fsys, creating it if needed. Test binaries sharing a server build it
// once: the name is a hash of the migrations, creation holds an advisory
// lock in the admin database, and completion is marked by a comment, so a
// template half-built by a crashed binary is dropped and rebuilt.
func ensureTemplate(ctx context.Context, log *slog.Logger, admin *bun.DB, serverURL string, fsys fs.FS) (name string, created bool, err error) {
	name, err = templateName(fsys)
	if err != nil {
		return "", false, err
	}
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", false, fmt.Errorf("template: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", templateLockKey); err != nil {
		// Never pool a connection that might hold the lock.
		_ = conn.Raw(func(any) error { return errBadConn })
		return "", false, fmt.Errorf("template: take lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, "SELECT pg_advisory_unlock(?)", templateLockKey); err != nil {
			// Drop the connection rather than pool it with the lock.
			_ = conn.Raw(func(any) error { return errBadConn })
		}
	}()

	var comments []*string
	if err := conn.NewRaw("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?", name).
		Scan(ctx, &comments); err != nil {
		return "", false, fmt.Errorf("template: look for %s: %w", name, err)
	}
	if len(comments) == 1 && comments[0] != nil && *comments[0] == templateDone {
		return name, false, ensureLogin(ctx, admin)
	}
	if len(comments) == 1 {
		log.Warn("dropping incomplete template database left by an interrupted run", "name", name)
		if err := dropDatabase(ctx, conn, name); err != nil {
			return "", false, err
		}
	}

	// template0 rather than the default template1: it is pristine on any
	// server, so the schema under test is exactly what the migrations
	// make.
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", false, fmt.Errorf("template: create %s: %w", name, err)
	}
	tpl, err := db.Open(ctx, withDatabase(serverURL, name), db.Options{MaxOpenConns: 1, ApplicationName: "ptdv-pgtest"})
	if err != nil {
		return "", false, fmt.Errorf("template: %w", err)
	}
	_, merr := db.Migrate(ctx, tpl, fsys)
	tpl.Close()
	if merr != nil {
		return "", false, fmt.Errorf("template: migrate %s: %w", name, merr)
	}
	// No connections allowed from now on: a stray session in the
	// template would make every CREATE DATABASE ... TEMPLATE fail.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+quoteIdent(name)+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", false, fmt.Errorf("template: seal %s: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMENT ON DATABASE "+quoteIdent(name)+" IS '"+templateDone+"'"); err != nil {
		return "", false, fmt.Errorf("template: mark %s complete: %w", name, err)
	}
	return name, true, ensureLogin(ctx, admin)
}

// ensureLogin makes the login role App connects as (cluster-wide; the migrations made ptdv_app). It
// runs under the template lock: concurrent ALTER ROLEs of one role fail.
func ensureLogin(ctx context.Context, admin *bun.DB) error {
	if err := db.EnsureLoginRole(ctx, admin, LoginRole, loginPassword); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}

// templateName is ptdv_tpl_ and a hash of the harness version and the
// migration files (names and contents), so a changed migration gets a new
// template and an unchanged one is shared.
func templateName(fsys fs.FS) (string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".sql") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("template: list migrations: %w", err)
	}
	sort.Strings(files)
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n", harnessVersion)
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return "", fmt.Errorf("template: %w", err)
		}
		fmt.Fprintf(sum, "%s\n%d\n", f, len(b))
		sum.Write(b)
	}
	return "ptdv_tpl_" + hex.EncodeToString(sum.Sum(nil)[:8]), nil
}

// New creates a database for this test, cloned from the migrated template,
// and drops it when the test ends. Safe for parallel tests.
func New(t testing.TB) *DB {
	t.Helper()
	return newDB(t, "")
}

// NewEmpty is New without the migrations: an empty database, for testing
// the migrations themselves. The role ptdv_app exists (it is cluster-wide),
// but nothing in the database is granted to it.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	return newDB(t, "template0")
}

func newDB(t testing.TB, template string) *DB {
	t.Helper()
	if h == nil {
		t.Fatal("pgtest: Main did not run: add func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) } to this package")
	}
	if template == "" {
		template = h.template
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t0 := time.Now()
	name := "ptdv_test_" + randomHex(8)
	if err := createDatabase(ctx, h.admin, name, template, h.strategy); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	d := &DB{URL: withDatabase(h.serverURL, name), Name: name}
	t.Cleanup(func() {
		if d.App != nil {
			d.App.Close()
		}
		if d.Owner != nil {
			d.Owner.Close()
		}
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(cctx, h.admin, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})

	var err error
	if d.Owner, err = db.Open(ctx, d.URL, db.Options{MaxOpenConns: 4, ApplicationName: "ptdv-test"}); err != nil {
		t.Fatalf("pgtest: open %s as owner: %v", name, err)
	}
	if d.App, err = openApp(ctx, d); err != nil {
		t.Fatalf("pgtest: open %s as %s: %v", name, db.AppRole, err)
	}
	h.firstNew.Do(func() {
		h.log.Info("first test database ready", "clone_took", time.Since(t0).Round(time.Millisecond),
			"since_main", time.Since(h.mainStart).Round(time.Millisecond))
	})
	return d
}

// openApp opens d's application pool as the server does, first switching row-level security off
// when EnvNoRLS asks.
func openApp(ctx context.Context, d *DB) (*bun.DB, error) {
	if os.Getenv(EnvNoRLS) == "1" {
		if _, err := d.Owner.ExecContext(ctx, `DO $$
DECLARE t regclass;
BEGIN
	FOR t IN SELECT oid FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace LOOP
		EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', t);
	END LOOP;
END $$`); err != nil {
			return nil, fmt.Errorf("switch row-level security off: %w", err)
		}
	}
	return db.Open(ctx, d.AppURL(), db.Options{AppRole: true, MaxOpenConns: 4, ApplicationName: "ptdv-test-app"})
}

// AppURL connects to d as LoginRole, as App does.
func (d *DB) AppURL() string {
	u, err := db.WithLogin(d.URL, LoginRole, loginPassword)
	if err != nil {
		panic(err) // d.URL was parsed when the database was made
	}
	return u
}

// keptReady marks a kept database whose fixture is complete (COMMENT ON DATABASE).
const keptReady = "ptdv pgtest kept: ready"

// Kept returns a database that outlives the run, for a benchmark fixture that takes minutes to build:
// named for key and the migrations (a schema change starts afresh), cloned from the template when
// missing. ready reports whether an earlier run finished building it (MarkReady); otherwise it is empty
// and the caller builds the fixture, then calls MarkReady. A fixture left half-built is dropped and
// started again. It outlives the run only on a server that does (PTDV_TEST_DATABASE_URL): the private
// cluster is removed when its test binary ends. Benchmarks use it when PTDV_BENCH_KEEP=1; drop the
// databases named ptdv_kept_* to reclaim the space.
func Kept(t testing.TB, key string) (d *DB, ready bool) {
	t.Helper()
	if h == nil {
		t.Fatal("pgtest: Main did not run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "ptdv_kept_" + key + "_" + strings.TrimPrefix(h.template, "ptdv_tpl_")
	var comment *string
	err := h.admin.NewRaw(`SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?`, name).Scan(ctx, &comment)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("pgtest: kept %s: %v", name, err)
	}
	ready = exists && comment != nil && *comment == keptReady
	if exists && !ready {
		if err := dropDatabase(ctx, h.admin, name); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	if !ready {
		if err := createDatabase(ctx, h.admin, name, h.template, h.strategy); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	d = &DB{URL: withDatabase(h.serverURL, name), Name: name}
	t.Cleanup(func() {
		d.App.Close()
		d.Owner.Close()
	})
	if d.Owner, err = db.Open(ctx, d.URL, db.Options{MaxOpenConns: 4, ApplicationName: "ptdv-test"}); err != nil {
		t.Fatalf("pgtest: open %s as owner: %v", name, err)
	}
	if d.App, err = openApp(ctx, d); err != nil {
		t.Fatalf("pgtest: open %s as %s: %v", name, db.AppRole, err)
	}
	return d, ready
}

// MarkReady records that a kept database's fixture is complete.
func (d *DB) MarkReady(t testing.TB) {
	t.Helper()
	if _, err := h.admin.ExecContext(context.Background(), "COMMENT ON DATABASE "+quoteIdent(d.Name)+" IS '"+keptReady+"'"); err != nil {
		t.Fatalf("pgtest: mark %s ready: %v", d.Name, err)
	}
}

// createDatabase clones template. PostgreSQL refuses while another session
// is connected to the template ("source database is being accessed by other
// users", object_in_use); that is transient here (a backend that has not
// finished exiting), so retry.
func createDatabase(ctx context.Context, admin bun.IConn, name, template, strategy string) error {
	q := "CREATE DATABASE " + quoteIdent(name) + " TEMPLATE " + quoteIdent(template) + strategy
	if template == "template0" {
		q += " ENCODING 'UTF8'"
	}
	delay := 50 * time.Millisecond
	for {
		_, err := admin.ExecContext(ctx, q)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			if err != nil {
				return fmt.Errorf("create database %s from %s: %w", name, template, err)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create database %s from %s: %w (last error: %v)", name, template, ctx.Err(), err)
		case <-time.After(delay):
		}
		if delay < time.Second {
			delay *= 2
		}
	}
}

// dropDatabase drops name, disconnecting whatever a test left connected.
func dropDatabase(ctx context.Context, admin bun.IConn, name string) error {
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// withDatabase returns serverURL pointing at database name. It accepts both
// forms pgx does: a URL, whose path is the database, and a key=value string,
// where a later dbname overrides an earlier one.
func withDatabase(serverURL, name string) string {
	if strings.HasPrefix(serverURL, "postgres://") || strings.HasPrefix(serverURL, "postgresql://") {
		if u, err := url.Parse(serverURL); err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	return serverURL + " dbname=" + name
}

// quoteIdent quotes a SQL identifier. The names here are our own
// (ptdv_test_<hex>), but quoting keeps that an implementation detail.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}
