package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"ptdv/internal/db"
	"ptdv/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func open(t *testing.T, url string, o db.Options) *bun.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TypesRow is a row of the queries that read a value of each type the scans convert (a date and a
// timestamp as T); the tests compare what two ways of reading return.
type TypesRow[T any] struct {
	I  int64          `bun:"i"`
	S  string         `bun:"s"`
	B  bool           `bun:"b"`
	D  T              `bun:"d"`
	TS T              `bun:"ts"`
	N  float64        `bun:"n"`
	A  []int64        `bun:"a,array"`
	J  map[string]int `bun:"j"`
	Z  *string        `bun:"z"`
	P  string         `bun:"p"`
}

// parallel marks t parallel and returns a context and a fresh database: migrated (pgtest.New) or, for
// the tests of Migrate, empty (pgtest.NewEmpty).
func parallel(t *testing.T, newDB func(testing.TB) *pgtest.DB) (context.Context, *pgtest.DB) {
	t.Parallel()
	return context.Background(), newDB(t)
}

// appRoleRefused: Open with AppRole as the login of url (who) fails, with an error that says want.
func appRoleRefused(t *testing.T, url, who, want string) {
	t.Helper()
	_, err := db.Open(context.Background(), url, db.Options{AppRole: true})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open with AppRole as %s: %v; want a refusal that says %q", who, err, want)
	}
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// TestMigrateConcurrent runs two Migrates at once on one database, each with
// its own pool like two `ptdv migrate` processes: every file must run exactly
// once. The slow second file keeps the first runner inside the lock long
// enough for the other to queue on it.
func TestMigrateConcurrent(t *testing.T) {
	ctx, d := parallel(t, pgtest.NewEmpty)
	fsys := fstest.MapFS{
		"0001_log.sql":  {Data: []byte("CREATE TABLE ran (version text NOT NULL);\nINSERT INTO ran VALUES ('0001');\n")},
		"0002_slow.sql": {Data: []byte("SELECT pg_sleep(0.3);\nINSERT INTO ran VALUES ('0002');\n")},
		"0010_last.sql": {Data: []byte("INSERT INTO ran VALUES ('0010');\n")},
	}

	var (
		wg      sync.WaitGroup
		applied [2][]string
		errs    [2]error
	)
	for i := range 2 {
		conn := open(t, d.URL, db.Options{})
		wg.Go(func() { applied[i], errs[i] = db.Migrate(ctx, conn, fsys) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Migrate %d: %v", i, err)
		}
	}
	all := append(slices.Clone(applied[0]), applied[1]...)
	slices.Sort(all)
	if want := []string{"0001", "0002", "0010"}; !slices.Equal(all, want) {
		t.Fatalf("applied %v and %v, want %v between them, each once", applied[0], applied[1], want)
	}

	var ran []string
	if err := d.Owner.NewRaw("SELECT version FROM ran ORDER BY version").Scan(ctx, &ran); err != nil {
		t.Fatal(err)
	}
	if want := []string{"0001", "0002", "0010"}; !slices.Equal(ran, want) {
		t.Fatalf("migration bodies ran %v, want %v", ran, want)
	}
	pending, err := db.Pending(ctx, d.Owner, fsys)
	if err != nil || len(pending) != 0 {
		t.Fatalf("Pending after Migrate = %v, %v; want none", pending, err)
	}
	// This database's: the cluster's other tests migrate theirs meanwhile (TestMigrateEmbedded).
	var locks int
	if err := d.Owner.NewRaw(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(ctx, &locks); err != nil || locks != 0 {
		t.Fatalf("advisory locks left: %d, %v", locks, err)
	}
}

func TestMigrateEmbedded(t *testing.T) {
	ctx, d := parallel(t, pgtest.NewEmpty)
	files, err := fs.Glob(db.Migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v, %v", files, err)
	}
	before, err := db.Pending(ctx, d.Owner, db.Migrations)
	if err != nil || len(before) != len(files) {
		t.Fatalf("Pending on an empty database = %v, %v; want %d versions", before, err, len(files))
	}
	applied, err := db.Migrate(ctx, d.Owner, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, before) {
		t.Fatalf("applied %v, pending was %v", applied, before)
	}
	again, err := db.Migrate(ctx, d.Owner, db.Migrations)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
	}
	// The readiness check runs as the application.
	app := open(t, d.AppURL(), db.Options{AppRole: true})
	pending, err := db.Pending(ctx, app, db.Migrations)
	if err != nil || len(pending) != 0 {
		t.Fatalf("Pending as %s = %v, %v; want none", db.AppRole, pending, err)
	}
}

func TestMigrateFailure(t *testing.T) {
	ctx, d := parallel(t, pgtest.NewEmpty)
	bad := fstest.MapFS{
		"0001_ok.sql":  {Data: []byte("CREATE TABLE ok (id int);\n")},
		"0002_bad.sql": {Data: []byte("CREATE TABLE half (id int);\n\nSELEC 1;\n")},
	}
	applied, err := db.Migrate(ctx, d.Owner, bad)
	if err == nil || !strings.Contains(err.Error(), "0002_bad.sql (line 3)") {
		t.Fatalf("Migrate with a syntax error: %v; want it to name 0002_bad.sql (line 3)", err)
	}
	if !slices.Equal(applied, []string{"0001"}) {
		t.Fatalf("applied %v before the failure, want [0001]", applied)
	}
	var half int
	if err := d.Owner.NewRaw("SELECT count(*) FROM pg_tables WHERE tablename = 'half'").Scan(ctx, &half); err != nil || half != 0 {
		t.Fatalf("failed migration left its table: %d, %v", half, err)
	}
	if pending, err := db.Pending(ctx, d.Owner, bad); err != nil || !slices.Equal(pending, []string{"0002"}) {
		t.Fatalf("Pending = %v, %v; want [0002]", pending, err)
	}

	// The lock went with the failed run: a fixed file applies at once,
	// from another pool.
	fixed := fstest.MapFS{"0001_ok.sql": bad["0001_ok.sql"], "0002_bad.sql": {Data: []byte("CREATE TABLE half (id int);\n")}}
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if applied, err := db.Migrate(ctx2, open(t, d.URL, db.Options{}), fixed); err != nil || !slices.Equal(applied, []string{"0002"}) {
		t.Fatalf("Migrate after fixing: %v, %v; want [0002]", applied, err)
	}
}

func TestMigrateRejectsBadNames(t *testing.T) {
	t.Parallel()
	d := pgtest.NewEmpty(t)
	for _, fsys := range []fstest.MapFS{
		{"create_things.sql": {Data: []byte("SELECT 1;")}},
		{"0001_a.sql": {Data: []byte("SELECT 1;")}, "001_b.sql": {Data: []byte("SELECT 1;")}},
	} {
		if _, err := db.Migrate(context.Background(), d.Owner, fsys); err == nil {
			t.Errorf("Migrate(%v) succeeded, want an error", slices.Collect(func(yield func(string) bool) {
				for k := range fsys {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}
}

func TestAppRole(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)

	var user, session string
	if err := d.App.NewRaw("SELECT current_user, session_user").Scan(ctx, &user, &session); err != nil {
		t.Fatal(err)
	}
	if user != db.AppRole || session == db.AppRole {
		t.Fatalf("App: current_user=%q session_user=%q; want %s and the login user", user, session, db.AppRole)
	}
	// The role is the session default, so RESET ROLE (or DISCARD ALL
	// from a pooler) does not return to the owner.
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "RESET ROLE"); err != nil {
		t.Fatal(err)
	}
	if err := conn.NewRaw("SELECT current_user").Scan(ctx, &user); err != nil || user != db.AppRole {
		t.Fatalf("after RESET ROLE current_user = %q, %v", user, err)
	}
	conn.Close()
	_, err = d.App.ExecContext(ctx, "CREATE TABLE public.app_made (id int)")
	if pgCode(err) != "42501" { // insufficient_privilege
		t.Fatalf("CREATE TABLE as %s: %v; want permission denied (42501)", db.AppRole, err)
	}

	if err := d.Owner.NewRaw("SELECT current_user").Scan(ctx, &user); err != nil || user == db.AppRole {
		t.Fatalf("Owner runs as %q, %v", user, err)
	}
}

// TestLoginRoleCannotEscape: the server's login role is no superuser and cannot become one; stepping out
// of ptdv_app (SET ROLE NONE, as injected SQL could) leaves it with no rights at all.
func TestLoginRoleCannotEscape(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	var owner string
	if err := d.Owner.NewRaw("SELECT current_user").Scan(ctx, &owner); err != nil {
		t.Fatal(err)
	}
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var super, createRole, bypass, inherit bool
	var session string
	if err := conn.NewRaw(`SELECT rolname, rolsuper, rolcreaterole, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = session_user`).
		Scan(ctx, &session, &super, &createRole, &bypass, &inherit); err != nil {
		t.Fatal(err)
	}
	if session != pgtest.LoginRole || super || createRole || bypass || inherit {
		t.Fatalf("login role %s: super=%v createrole=%v bypassrls=%v inherit=%v; want %s with none of them", session, super, createRole, bypass, inherit, pgtest.LoginRole)
	}
	if _, err := conn.ExecContext(ctx, "SET ROLE NONE"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SELECT count(*) FROM person", "SELECT count(*) FROM org_unit", "INSERT INTO audit_log (actor, actor_role, action, entity, entity_id) VALUES ('x', 'x', 'x', 'x', 'x')"} {
		if _, err := conn.ExecContext(ctx, q); pgCode(err) != "42501" {
			t.Errorf("%s after SET ROLE NONE: %v; want permission denied (42501)", q, err)
		}
	}
	for _, q := range []string{"SET ROLE " + owner, "SET SESSION AUTHORIZATION " + owner, "ALTER ROLE " + pgtest.LoginRole + " SUPERUSER", "CREATE ROLE ptdv_escape SUPERUSER"} {
		if _, err := conn.ExecContext(ctx, q); pgCode(err) != "42501" {
			t.Errorf("%s: %v; want permission denied (42501)", q, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "RESET ROLE"); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRefusesPrivilegedLogin: the server never runs on a login that could step out of ptdv_app,
// such as the owner (here a superuser).
func TestOpenRefusesPrivilegedLogin(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	appRoleRefused(t, d.URL, "the owner", "must not log in")
}

// TestScopeIsTransactionLocal: the scope of a context reaches every statement on the application pool,
// in and out of transactions, and never outlives its transaction on a pooled connection.
func TestScopeIsTransactionLocal(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	national := db.WithScope(ctx, true, 0, time.Time{})
	nowhere := db.WithScope(ctx, false, 999999, time.Time{}) // no such unit: an empty scope
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setting := func(ctx context.Context, idb bun.IConn) string {
		t.Helper()
		var s string
		if err := idb.QueryRowContext(ctx, "SELECT coalesce(current_setting('ptdv.scope', true), '<unset>')").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := setting(national, conn); got != "all" {
		t.Errorf("national query: ptdv.scope = %q, want all", got)
	}
	if got := setting(ctx, conn); got != "" && got != "<unset>" {
		t.Errorf("the next query on the same connection, without a scope: ptdv.scope = %q, want none", got)
	}
	if got := setting(nowhere, conn); got != "" {
		t.Errorf("scope of a unit that does not exist: %q, want empty", got)
	}
	// Exec: the setting and the statement in one implicit transaction.
	if _, err := conn.ExecContext(national, `DO $$ BEGIN IF current_setting('ptdv.scope', true) IS DISTINCT FROM 'all' THEN
		RAISE EXCEPTION 'no scope'; END IF; END $$`); err != nil {
		t.Errorf("Exec with a national scope: %v", err)
	}
	if got := setting(ctx, conn); got != "" && got != "<unset>" {
		t.Errorf("after Exec: ptdv.scope = %q, want none", got)
	}
	// A transaction sets it once, for all its statements.
	err = conn.RunInTx(national, nil, func(ctx context.Context, tx bun.Tx) error {
		for range 2 {
			if got := setting(ctx, tx); got != "all" {
				t.Errorf("in a transaction: ptdv.scope = %q, want all", got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := setting(ctx, conn); got != "" && got != "<unset>" {
		t.Errorf("after the transaction: ptdv.scope = %q, want none", got)
	}
	// A statement that fails ends its transaction: the connection is usable and unscoped.
	if _, err := conn.QueryContext(national, "SELECT 1/0"); err == nil {
		t.Error("1/0 succeeded")
	}
	if got := setting(ctx, conn); got != "" && got != "<unset>" {
		t.Errorf("after a failed query: ptdv.scope = %q, want none", got)
	}
}

func TestOpenSessionSettings(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	conn := open(t, d.URL, db.Options{StatementTimeout: 1500 * time.Millisecond, ApplicationName: "ptdv-settings-test", MaxOpenConns: 2})
	var timeout, app string
	if err := conn.NewRaw("SELECT current_setting('statement_timeout'), current_setting('application_name')").Scan(ctx, &timeout, &app); err != nil {
		t.Fatal(err)
	}
	if timeout != "1500ms" || app != "ptdv-settings-test" {
		t.Fatalf("statement_timeout=%q application_name=%q", timeout, app)
	}
	_, err := conn.ExecContext(ctx, "SELECT pg_sleep(3)")
	if pgCode(err) != "57014" { // query_canceled
		t.Fatalf("pg_sleep(3) with a 1.5 s timeout: %v; want query_canceled", err)
	}
	if got := conn.DB.Stats().MaxOpenConnections; got != 2 {
		t.Fatalf("MaxOpenConnections = %d, want 2", got)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.Open(ctx, "postgres://nobody:secret@127.0.0.1:1/x?connect_timeout=2", db.Options{}); err == nil {
		t.Fatal("Open on a closed port succeeded")
	} else if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error reveals the password: %v", err)
	}
}

// TestAppRoleNotMember connects as a login role that is not a member of
// ptdv_app: Open must refuse with a hint rather than run as that user.
func TestAppRoleNotMember(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	u, err := url.Parse(d.URL)
	if err != nil || u.Scheme == "" {
		t.Skipf("test server URL is not a URL: %v", err)
	}
	role, password := "ptdv_test_nomember_"+strings.ToLower(d.Name[len(d.Name)-8:]), "pw-"+d.Name
	if _, err := d.Owner.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD '"+password+"'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Owner.ExecContext(context.Background(), "DROP ROLE "+role) })
	u.User = url.UserPassword(role, password)

	// As the plain user it connects, so the refusal below is about the role.
	plain, err := db.Open(ctx, u.String(), db.Options{})
	if err != nil {
		t.Skipf("cannot log in as a new role on this server: %v", err)
	}
	plain.Close()
	appRoleRefused(t, u.String(), "a non-member", "ptdv migrate") // with a hint
}

func TestInTx(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	if _, err := d.Owner.ExecContext(ctx, "CREATE TABLE t (id int)"); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := d.Owner.NewRaw("SELECT count(*) FROM t").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)")
		return err
	}

	if err := db.InTx(ctx, d.Owner, insert); err != nil || count() != 1 {
		t.Fatalf("commit: %v, %d rows", err, count())
	}
	boom := errors.New("boom")
	err := db.InTx(ctx, d.Owner, func(ctx context.Context, tx bun.Tx) error {
		if err := insert(ctx, tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 1 {
		t.Fatalf("rollback: %v, %d rows", err, count())
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		_ = db.InTx(ctx, d.Owner, func(ctx context.Context, tx bun.Tx) error {
			_ = insert(ctx, tx)
			panic("boom")
		})
	}()
	if count() != 1 {
		t.Fatalf("panic: %d rows, want 1", count())
	}

	// Inside a transaction, InTx joins it: no savepoint, and the outer
	// rollback undoes the inner work.
	var qc pgtest.QueryCounter
	d.Owner.AddQueryHook(&qc)
	for _, outer := range []func(bun.Tx) bun.IDB{
		func(tx bun.Tx) bun.IDB { return tx },
		func(tx bun.Tx) bun.IDB { return &tx },
	} {
		qc.Reset()
		err = db.InTx(ctx, d.Owner, func(ctx context.Context, tx bun.Tx) error {
			if err := db.InTx(ctx, outer(tx), insert); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || count() != 1 {
			t.Fatalf("nested: %v, %d rows", err, count())
		}
		if q := fmt.Sprint(qc.Queries()); strings.Contains(q, "SAVEPOINT") || !strings.HasPrefix(q, "[BEGIN INSERT INTO t VALUES (1) ROLLBACK") {
			t.Fatalf("nested InTx ran %s", q)
		}
	}
}

// BenchmarkScope measures what the actor's scope costs a statement on the application pool: a read or
// an Exec outside a transaction carries the setting in its own Query message; a transaction sets it
// once after BEGIN.
func BenchmarkScope(b *testing.B) {
	d := pgtest.New(b)
	ctx := context.Background()
	scoped := db.WithScope(ctx, false, 1, time.Time{}) // no such unit: the lookup runs, the scope is empty
	read := func(b *testing.B, ctx context.Context) {
		var n int
		if err := d.App.NewRaw("SELECT count(*) FROM org_kind").Scan(ctx, &n); err != nil {
			b.Fatal(err)
		}
	}
	exec := func(b *testing.B, ctx context.Context) {
		if _, err := d.App.ExecContext(ctx, "SELECT 1"); err != nil {
			b.Fatal(err)
		}
	}
	tx := func(b *testing.B, ctx context.Context) {
		err := d.App.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var n int
			return tx.NewRaw("SELECT count(*) FROM org_kind").Scan(ctx, &n)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, op := range []struct {
		name string
		run  func(*testing.B, context.Context)
	}{{"read", read}, {"exec", exec}, {"tx", tx}} {
		for _, on := range []struct {
			name string
			ctx  context.Context
		}{{"unscoped", ctx}, {"scoped", scoped}} {
			b.Run(op.name+"/"+on.name, func(b *testing.B) {
				for b.Loop() {
					op.run(b, on.ctx)
				}
			})
		}
	}
}

// TestScopedConnLeftInTransaction: a pooled connection that is somehow left inside a transaction (a
// failed COMMIT) is dropped, never handed to the next caller with the previous scope.
func TestScopedConnLeftInTransaction(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// Behind database/sql's back, as a failed COMMIT would leave it.
	if _, err := conn.ExecContext(db.WithScope(ctx, true, 0, time.Time{}), "SELECT 1; BEGIN; SELECT set_config('ptdv.scope', 'all', true)"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	for range 8 { // the pool holds at most 4
		c, err := d.App.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var other int
		var scope string
		if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid(), coalesce(current_setting('ptdv.scope', true), '')").Scan(&other, &scope); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if other == pid || scope != "" {
			t.Fatalf("the connection left in a transaction came back (pid %d, scope %q)", other, scope)
		}
	}
}

// TestScopedReadInOneMessage: a scoped read outside a transaction is one Query message (the setting,
// then the statement): it sees the scope of its context (the path auth resolved, and its day), returns
// the statement's rows converted as pgx's stdlib converts them, surfaces the statement's errors, and
// leaves the pooled connection unscoped and out of any transaction.
func TestScopedReadInOneMessage(t *testing.T) {
	ctx, d := parallel(t, pgtest.New)
	day := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	scoped := db.WithScopePath(ctx, 15508, "1.15508", day)
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var scope, dayS, status string
	if err := conn.QueryRowContext(scoped, "SELECT current_setting('ptdv.scope', true), current_setting('ptdv.day', true)").Scan(&scope, &dayS); err != nil {
		t.Fatal(err)
	}
	if scope != "1.15508" || dayS != "2026-12-05" {
		t.Errorf("scoped read: ptdv.scope = %q, ptdv.day = %q; want 1.15508, 2026-12-05", scope, dayS)
	}
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(current_setting('ptdv.scope', true), '')").Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if scope != "" {
		t.Errorf("the next read on the connection, without a scope: ptdv.scope = %q", scope)
	}
	// The same rows and values, scoped (one message) or not (pgx's stdlib).
	const q = `SELECT i, 'x' || i AS s, i % 2 = 0 AS b, DATE '2026-01-01' + i AS d, TIMESTAMPTZ '2026-01-01 10:00+07' AS ts,
		1.5::numeric AS n, ARRAY[i, i + 1] AS a, '{"k": 1}'::jsonb AS j, NULL::text AS z, '1.2.3'::text::ltree AS p
		FROM generate_series(1, 3) i ORDER BY i`
	var plain, one []TypesRow[time.Time]
	if err := d.App.NewRaw(q).Scan(ctx, &plain); err != nil {
		t.Fatal(err)
	}
	if err := d.App.NewRaw(q).Scan(scoped, &one); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plain, one); diff != "" || len(one) != 3 {
		t.Errorf("scoped read differs from the plain one (-plain +scoped):\n%s", diff)
	}
	// No rows, and an error in the statement: reported, the connection usable, unscoped, not in a transaction.
	var n int
	if err := conn.QueryRowContext(scoped, "SELECT 1 WHERE false").Scan(&n); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no rows: %v", err)
	}
	if _, err := conn.QueryContext(scoped, "SELECT 1/0"); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("1/0: %v", err)
	}
	rows, err := conn.QueryContext(scoped, "SELECT i, 1/(2 - i) FROM generate_series(1, 3) i") // fails on its second row
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if rows.Err() == nil || !strings.Contains(rows.Err().Error(), "division by zero") {
		t.Errorf("error on the second row: %v", rows.Err())
	}
	rows.Close()
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(current_setting('ptdv.scope', true), '')").Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if err := conn.Raw(func(dc any) error {
		status = string(dc.(interface{ PgxConn() *pgx.Conn }).PgxConn().PgConn().TxStatus())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if scope != "" || status != "I" {
		t.Errorf("after the failures: ptdv.scope = %q, transaction status %q (want I, idle)", scope, status)
	}
	// Early close: the rest of the message is read, the next statement runs.
	rows, err = conn.QueryContext(scoped, "SELECT i FROM generate_series(1, 10000) i")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(scoped, "SELECT 42").Scan(&n); err != nil || n != 42 {
		t.Errorf("after an early close: %d, %v", n, err)
	}
	// A path that is not one of unit ids is never inlined: the unit is looked up (none: empty scope).
	if err := conn.QueryRowContext(db.WithScopePath(ctx, 999999, "1'; SELECT 1; --", day), "SELECT current_setting('ptdv.scope', true)").Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if scope != "" {
		t.Errorf("a malformed path: ptdv.scope = %q, want empty (the unit 999999 does not exist)", scope)
	}
}

// No table keeps two indexes that are the same index: the same key columns in the same order, the same
// included columns in any order, operator classes, expressions, predicate and uniqueness (org_link had
// org_link_scope_on and org_link_today, migration 0032).
func TestNoDuplicateIndexes(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	var dups []string
	err := d.Owner.NewRaw(`
		WITH ix AS (
			SELECT i.indexrelid::regclass::text AS name, i.indrelid, i.indisunique, i.indclass::text AS cls,
				coalesce(pg_get_expr(i.indexprs, i.indrelid), '') AS exprs, coalesce(pg_get_expr(i.indpred, i.indrelid), '') AS pred,
				(string_to_array(i.indkey::text, ' '))[1:i.indnkeyatts] AS keycols,
				ARRAY(SELECT x FROM unnest((string_to_array(i.indkey::text, ' '))[i.indnkeyatts + 1:]) x ORDER BY x) AS inccols
			FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))
		SELECT string_agg(name, ' = ' ORDER BY name) FROM ix
		GROUP BY indrelid, indisunique, cls, exprs, pred, keycols, inccols HAVING count(*) > 1`).Scan(context.Background(), &dups)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if len(dups) != 0 {
		t.Errorf("duplicate indexes: %v", dups)
	}
}
