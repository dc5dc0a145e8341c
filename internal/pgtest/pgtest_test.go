package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"

	"ptdv/internal/db"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestNewIsMigratedAndIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := New(t), New(t)
	if a.Name == b.Name || a.URL == b.URL {
		t.Fatalf("two tests share database %s", a.Name)
	}
	for _, d := range []*DB{a, b} {
		pending, err := db.Pending(ctx, d.App, db.Migrations)
		if err != nil || len(pending) != 0 {
			t.Fatalf("%s: Pending = %v, %v; want none", d.Name, pending, err)
		}
		var user string
		if err := d.App.NewRaw("SELECT current_user").Scan(ctx, &user); err != nil || user != db.AppRole {
			t.Fatalf("App runs as %q (%v), want %s", user, err, db.AppRole)
		}
	}
	if _, err := a.Owner.ExecContext(ctx, "CREATE TABLE only_in_a (id int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.Owner.NewRaw("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(ctx, &n); err != nil || n != 0 {
		t.Fatalf("table of database a visible in b: %d, %v", n, err)
	}
}

func TestDatabaseDroppedAfterTest(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		d := New(t)
		name = d.Name
		// A connection the test forgot to close must not block the drop.
		conn, err := d.Owner.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn
	})
	if exists(t, name) {
		t.Fatalf("database %s still exists after its test", name)
	}
}

func exists(t *testing.T, name string) bool {
	t.Helper()
	var n int
	if err := h.admin.NewRaw("SELECT count(*) FROM pg_database WHERE datname = ?", name).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestNewEmpty(t *testing.T) {
	t.Parallel()
	d := NewEmpty(t)
	pending, err := db.Pending(context.Background(), d.Owner, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.Pending(context.Background(), New(t).Owner, fstest.MapFS{})
	if err != nil || len(all) != 0 {
		t.Fatalf("Pending with no files: %v, %v", all, err)
	}
	if len(pending) == 0 {
		t.Fatal("empty database reports no pending migrations")
	}
}

// BenchmarkNew measures what every database test pays once: clone the template, open both pools
// and ping.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New(b)
	}
}

// TestEnsureTemplateConcurrent builds a template for a migration set no
// other run has (a random comment changes the hash) from several goroutines:
// exactly one builds it, all get it, and a half-built one is rebuilt.
func TestEnsureTemplateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fsys := fstest.MapFS{
		"0001_t.sql": {Data: []byte("-- " + randomHex(8) + "\nCREATE TABLE t (id int);\n")},
	}
	name, err := templateName(fsys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabase(context.Background(), h.admin, name) })

	const n = 4
	var (
		wg      sync.WaitGroup
		names   [n]string
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() { names[i], created[i], errs[i] = ensureTemplate(ctx, h.log, h.admin, h.serverURL, fsys) })
	}
	wg.Wait()
	builds := 0
	for i := range n {
		if errs[i] != nil || names[i] != name {
			t.Fatalf("ensureTemplate %d: %q, %v; want %q", i, names[i], errs[i], name)
		}
		if created[i] {
			builds++
		}
	}
	if builds != 1 {
		t.Fatalf("template built %d times, want 1", builds)
	}

	// A template without the completion mark (its builder died) is
	// dropped and rebuilt.
	if _, err := h.admin.ExecContext(ctx, "COMMENT ON DATABASE "+quoteIdent(name)+" IS NULL"); err != nil {
		t.Fatal(err)
	}
	if _, created, err := ensureTemplate(ctx, h.log, h.admin, h.serverURL, fsys); err != nil || !created {
		t.Fatalf("incomplete template: created=%v, %v; want rebuilt", created, err)
	}
	// And it clones.
	clone := "ptdv_test_" + randomHex(8)
	if err := createDatabase(ctx, h.admin, clone, name, h.strategy); err != nil {
		t.Fatal(err)
	}
	if err := dropDatabase(ctx, h.admin, clone); err != nil {
		t.Fatal(err)
	}
}

func TestQueryCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := New(t)
	var qc QueryCounter
	d.App.AddQueryHook(&qc)

	var one int
	if err := d.App.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
		t.Fatal(err)
	}
	_ = d.App.NewRaw("SELECT * FROM no_such_table").Scan(ctx, &one) // failed queries count too
	if got := qc.Count(); got != 2 {
		t.Fatalf("Count = %d (%q), want 2", got, qc.Queries())
	}
	qc.Reset()
	err := db.InTx(ctx, d.App, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw("SELECT 2").Scan(ctx, &one)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BEGIN", "SELECT 2", "COMMIT"}
	if got := qc.Queries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Queries = %q, want %q", got, want)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://ptdv@/postgres?host=/tmp/x/run&port=5433&sslmode=disable", "postgres://ptdv@/db1?host=/tmp/x/run&port=5433&sslmode=disable"},
		{"postgresql://u:p@127.0.0.1:5432/postgres?sslmode=disable", "postgresql://u:p@127.0.0.1:5432/db1?sslmode=disable"},
		{"postgres://u@h", "postgres://u@h/db1"},
		{"host=/tmp port=5432 user=u dbname=postgres", "host=/tmp port=5432 user=u dbname=postgres dbname=db1"},
	} {
		if got := withDatabase(tc.in, "db1"); got != tc.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A kept database is built once: the next Kept finds it ready, with what was written; one left
// half-built (not marked ready) starts again empty.
func TestKept(t *testing.T) {
	ctx := context.Background()
	key := "kept_test_" + randomHex(4)
	var name string
	t.Cleanup(func() { _ = dropDatabase(ctx, h.admin, name) })
	t.Run("half-built", func(t *testing.T) {
		d, ready := Kept(t, key)
		name = d.Name
		if ready {
			t.Fatal("a new kept database is ready")
		}
		if _, err := d.Owner.ExecContext(ctx, "CREATE TABLE fixture (n int); INSERT INTO fixture VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("built", func(t *testing.T) {
		d, ready := Kept(t, key)
		if ready {
			t.Fatal("a half-built kept database is ready")
		}
		var n int
		if err := d.Owner.NewRaw("SELECT count(*) FROM pg_tables WHERE tablename = 'fixture'").Scan(ctx, &n); err != nil || n != 0 {
			t.Fatalf("the half-built fixture is still there: %d, %v", n, err)
		}
		if _, err := d.Owner.ExecContext(ctx, "CREATE TABLE fixture (n int); INSERT INTO fixture VALUES (2)"); err != nil {
			t.Fatal(err)
		}
		d.MarkReady(t)
	})
	t.Run("reused", func(t *testing.T) {
		d, ready := Kept(t, key)
		var n int
		if err := d.Owner.NewRaw("SELECT n FROM fixture").Scan(ctx, &n); !ready || err != nil || n != 2 {
			t.Fatalf("ready %v, fixture %d, %v; want the built fixture", ready, n, err)
		}
	})
	if !exists(t, name) {
		t.Fatalf("kept database %s was dropped after its test", name)
	}
}
