package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/db"
	"ptdv/internal/fixture"
)

// A scoped read through db.Scan is a prepared statement with bind parameters, sent with the scope's
// setting in one pipeline: the row-level security policies read the setting (a commune's board gets its
// own person and not the other commune's), the statement is prepared once on the connection and reused,
// and the next use of the connection carries no scope and no transaction.
func TestScopedPreparedRead(t *testing.T) {
	t.Parallel()
	d, tree, sys := fixture.NewTree(t)
	inX := fixture.Person(t, sys, d.App, "Nguyễn Văn A", tree.X) // a cell of the commune C1
	inZ := fixture.Person(t, sys, d.App, "Trần Văn B", tree.Z)   // a cell of the commune C3
	c1 := fixture.Actor(t, d.App, "board", "VP.TD.HH")
	c3 := fixture.Actor(t, d.App, "board", "VP.VY.LL")
	conn, err := d.App.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// No application filter here: only the policies keep the other commune's person out.
	const q = `SELECT id FROM person WHERE id = ANY(?::bigint[]) ORDER BY id`
	both := pgdialect.Array([]int64{inX, inZ})
	read := func(ctx context.Context, idb bun.IDB) []int64 {
		t.Helper()
		var ids []int64
		if err := db.Scan(ctx, idb, &ids, q, both); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for i := range 3 {
		if got, want := read(c1, conn), []int64{inX}; !cmp.Equal(got, want) {
			t.Errorf("read %d as C1's board: %v, want %v", i, got, want)
		}
	}
	if got, want := read(c3, conn), []int64{inZ}; !cmp.Equal(got, want) {
		t.Errorf("as C3's board: %v, want %v", got, want)
	}
	if got, want := read(sys, conn), []int64{inX, inZ}; !cmp.Equal(got, want) {
		t.Errorf("national: %v, want %v", got, want)
	}
	// The next use of the connection without a scope: no setting, no transaction, no personal rows.
	ctx := context.Background()
	var scope string
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(current_setting('ptdv.scope', true), '')").Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if scope != "" {
		t.Errorf("after the scoped reads: ptdv.scope = %q, want none", scope)
	}
	if got := read(ctx, conn); len(got) != 0 {
		t.Errorf("the same read without a scope: %v, want none", got)
	}
	var status string
	if err := conn.Raw(func(dc any) error {
		status = string(dc.(interface{ PgxConn() *pgx.Conn }).PgxConn().PgConn().TxStatus())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if status != "I" {
		t.Errorf("transaction status %q after the reads, want I (idle)", status)
	}
	// Prepared once, with its parameter, and executed for each scoped read (five: three, C3, national).
	var runs []int64
	if err := conn.NewRaw(`SELECT generic_plans + custom_plans FROM pg_prepared_statements
		WHERE name LIKE 'ptdv\_%' AND statement = 'SELECT id FROM person WHERE id = ANY($1::bigint[]) ORDER BY id'`).Scan(ctx, &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0] != 5 {
		t.Errorf("prepared statement of the read: executions %v, want one statement run 5 times", runs)
	}
	// An error of the statement is reported; the connection is usable, unscoped and idle afterwards.
	var n []int64
	err = db.Scan(c1, conn, &n, `SELECT 1 / (?::int - 1)`, 1)
	if err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("1/0: %v", err)
	}
	if got, want := read(c1, conn), []int64{inX}; !cmp.Equal(got, want) {
		t.Errorf("after an error, as C1's board: %v, want %v", got, want)
	}
	// In a transaction (the setting made after BEGIN) the same read, the same rows.
	err = d.App.RunInTx(c1, nil, func(ctx context.Context, tx bun.Tx) error {
		if got, want := read(ctx, tx), []int64{inX}; !cmp.Equal(got, want) {
			t.Errorf("in a transaction, as C1's board: %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The owner's pool does not prepare (no policies either): the same call, formatted by bun.
	if got, want := read(ctx, d.Owner), []int64{inX, inZ}; !cmp.Equal(got, want) {
		t.Errorf("owner: %v, want %v", got, want)
	}
}

// Values read through a prepared statement are the values the one-message form reads.
func TestScanSameValues(t *testing.T) {
	t.Parallel()
	d, _, sys := fixture.NewTree(t)
	const q = `SELECT i, 'x' || i AS s, i % 2 = 0 AS b, ?::date + i AS d, TIMESTAMPTZ '2026-01-01 10:00+07' AS ts,
		1.5::numeric AS n, ARRAY[i, i + 1] AS a, '{"k": 1}'::jsonb AS j, NULL::text AS z, ?::text::ltree AS p,
		cardinality(?::ltree[]) AS c, 'it''s' AS lit
		FROM generate_series(1, ?) i ORDER BY i`
	type row struct {
		TypesRow[string]
		C   int    `bun:"c"`
		Lit string `bun:"lit"`
	}
	args := []any{fixture.Day("2026-01-01"), "1.2.3", pgdialect.Array([]string{"1.2", "3.4", "5"}), 3}
	var formatted, prepared []row
	if err := d.App.NewRaw(q, args...).Scan(sys, &formatted); err != nil {
		t.Fatal(err)
	}
	if err := db.Scan(sys, d.App, &prepared, q, args...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(formatted, prepared); diff != "" || len(prepared) != 3 {
		t.Errorf("prepared read differs from the formatted one (-formatted +prepared):\n%s", diff)
	}
}

// A statement prepared before the schema changed (another server's migration) is prepared again: the
// read answers with the new columns instead of failing "cached plan must not change result type".
func TestScanAfterSchemaChange(t *testing.T) {
	t.Parallel()
	d, _, sys := fixture.NewTree(t)
	ctx := context.Background()
	if _, err := d.Owner.ExecContext(ctx, `CREATE TABLE scan_t (a int); INSERT INTO scan_t VALUES (1), (2);
		GRANT SELECT ON scan_t TO `+db.AppRole); err != nil {
		t.Fatal(err)
	}
	conn, err := d.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rows []map[string]any
	if err := db.Scan(sys, conn, &rows, `SELECT * FROM scan_t WHERE a = ?`, 2); err != nil || len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("before: %v, %v", rows, err)
	}
	if _, err := d.Owner.ExecContext(ctx, `ALTER TABLE scan_t ADD COLUMN b text DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	rows = nil
	if err := db.Scan(sys, conn, &rows, `SELECT * FROM scan_t WHERE a = ?`, 2); err != nil {
		t.Fatalf("after the change: %v", err)
	}
	if len(rows) != 1 || rows[0]["b"] != "x" {
		t.Errorf("after the change: %v, want one row with b = x", rows)
	}
}
