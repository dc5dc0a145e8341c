//go:build duckdb_arrow

package analytics

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"ptdv/internal/pgtest"
)

// loaderTypesSQL holds every type the loaders map, with NULLs, extremes, dates before and after
// PostgreSQL's epoch (2000-01-01) and Unix's, and text that is not ASCII.
const loaderTypesSQL = `
CREATE TABLE loader_types (
	id int8 PRIMARY KEY, b bool, i2 int2, i4 int4, f4 float4, f8 float8, t text, v varchar(20), c char(3),
	d date, ts timestamp, tz timestamptz);
INSERT INTO loader_types VALUES
	(1, true, 32767, 2147483647, 1.5, -2.25, 'Nguyễn Thị Ánh', 'đảng viên', 'ab', '2026-12-04', '2026-12-04 14:31:03.123456', '2026-12-04 07:31:03.5+07'),
	(2, false, -32768, -2147483648, -0.0, 1e300, '', 'x', 'xyz', '1999-12-31', '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00+00'),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(-9223372036854775808, true, 0, 0, 3.4e38, -1e-300, 'a''b"c', '', '   ', '1945-09-02', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00'),
	(9223372036854775807, false, 1, 1, 0, 0, repeat('ư', 5000), 'v', 'c', '2100-02-28', '2262-04-11 23:47:16', '0001-01-01 00:00:00+00');
INSERT INTO loader_types (id, i4, t, d) SELECT g, g, 'row ' || g, DATE '2020-01-01' + (g % 3000) FROM generate_series(10, 150009) g;
`

// TestArrowLoaderSameAsAppender loads the same query with the Arrow loader and with the Appender
// (the portable path) and compares the two DuckDB tables: column names and types, and every row.
func TestArrowLoaderSameAsAppender(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	if _, err := d.Owner.DB.ExecContext(ctx, loaderTypesSQL); err != nil {
		t.Fatal(err)
	}
	_, conn, pg := writerAndSource(t, d.URL, Options{Threads: 2})
	tx, err := pg.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	const q = `SELECT * FROM loader_types`
	na, err := appendRows(ctx, tx, conn, "by_appender", q)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := arrowRows(ctx, tx, conn, "by_arrow", q)
	if err != nil {
		t.Fatal(err)
	}
	if na != 150005 || nb != na {
		t.Fatalf("rows: appender %d, arrow %d, want 150005 each", na, nb)
	}
	types := func(table string) []string {
		rows, err := conn.QueryContext(ctx, `SELECT column_name || ' ' || data_type FROM information_schema.columns
			WHERE table_name = ? ORDER BY ordinal_position`, table)
		return scanRows(t, rows, err, func(rows *sql.Rows, s *string) error { return rows.Scan(s) })
	}
	want := []string{"id BIGINT", "b BOOLEAN", "i2 SMALLINT", "i4 INTEGER", "f4 FLOAT", "f8 DOUBLE", "t VARCHAR",
		"v VARCHAR", "c VARCHAR", "d DATE", "ts TIMESTAMP", "tz TIMESTAMP WITH TIME ZONE"}
	if diff := cmp.Diff(want, types("by_appender")); diff != "" {
		t.Errorf("appender's types (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, types("by_arrow")); diff != "" {
		t.Errorf("arrow's types (-want +got):\n%s", diff)
	}
	for _, pair := range [][2]string{{"by_appender", "by_arrow"}, {"by_arrow", "by_appender"}} {
		var n int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT * FROM `+pair[0]+` EXCEPT ALL SELECT * FROM `+pair[1]+`)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of %s are not in %s", n, pair[0], pair[1])
		}
	}
	// And the values are PostgreSQL's, not just equal to each other.
	var got string
	if err := conn.QueryRowContext(ctx, `SELECT concat_ws('|', b, i2, i4, f4, f8, t, v, c, d, ts, tz AT TIME ZONE 'UTC')
		FROM by_arrow WHERE id = 1`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "true|32767|2147483647|1.5|-2.25|Nguyễn Thị Ánh|đảng viên|ab |2026-12-04|2026-12-04 14:31:03.123456|2026-12-04 00:31:03.5"; got != want {
		t.Errorf("row 1 = %q, want %q", got, want)
	}
	if err := conn.QueryRowContext(ctx, `SELECT concat_ws('|', d, ts, tz AT TIME ZONE 'UTC') FROM by_arrow WHERE id = 2`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "1999-12-31|1969-12-31 23:59:59.999999|1900-01-01 00:00:00"; got != want {
		t.Errorf("row 2 = %q, want %q", got, want)
	}
}

// TestArrowLoaderRefusesInfinity: an infinite date is a data error, as with the Appender, and the
// copy stops with the row and column named.
func TestArrowLoaderRefusesInfinity(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	_, conn, pg := writerAndSource(t, d.URL, Options{Threads: 1})
	tx, err := pg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = arrowRows(ctx, tx, conn, "inf", `SELECT g AS id, CASE WHEN g = 70000 THEN 'infinity'::date ELSE DATE '2020-01-01' END AS d
		FROM generate_series(1, 100000) g`)
	if err == nil || !strings.Contains(err.Error(), "row 70000, column d") || !strings.Contains(err.Error(), "infinite") {
		t.Fatalf("err = %v, want the infinite date of row 70000 named", err)
	}
}

// TestParallelStreamsOneSnapshot: rows committed after the first stream took its snapshot and
// before the other streams start reading are in no stream, because every stream reads the
// exported snapshot; three streams and one give the same file, table for table.
func TestParallelStreamsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	d, _ := loadDemo(t, t.TempDir())
	o := testOptions(t, demoToday)
	o.Streams = 1
	one, err := Snapshot(ctx, d.URL, t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	testHookPoint = func(p string) error {
		if p != "snapshot.exported" {
			return nil
		}
		_, err := d.Owner.DB.ExecContext(ctx, `
			INSERT INTO calendar_day (day, kind, name_vi) VALUES ('2090-01-02', 'holiday', 'thử');
			INSERT INTO org_sector (code, rank, label_vi, label_en) VALUES ('test_sector', 99, 'thử', 'test');
			INSERT INTO target_measure (code, rank, label_vi, label_en, kinds, live_progress)
				VALUES ('test_measure', 99, 'thử', 'test', ARRAY['count'], false);
			INSERT INTO rule (id, value, unit, label_vi, source) VALUES ('test.rule', 1, 'months', 'thử', 'thử');`)
		return err
	}
	defer func() { testHookPoint = nil }()
	o.Streams = 3
	three, err := Snapshot(ctx, d.URL, t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	var after int64
	if err := d.Owner.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM calendar_day) + (SELECT count(*) FROM org_sector)
		+ (SELECT count(*) FROM target_measure) + (SELECT count(*) FROM rule)`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before := one.Tables["calendar_day"] + one.Tables["org_sector"] + one.Tables["target_measure"] + one.Tables["rule"]; after != before+4 {
		t.Fatalf("the hook added %d rows, want 4", after-before)
	}
	for _, s := range sources {
		n := one.Tables[s.table]
		if three.Tables[s.table] != n {
			t.Errorf("%s: %d rows with 3 streams, %d with 1", s.table, three.Tables[s.table], n)
		}
	}
	for _, table := range []string{"person", "member_event", "case_event", "candidate_case", "member_status_span"} {
		if one.Tables[table] == 0 {
			t.Errorf("%s is empty: the test copies nothing", table)
		}
	}
}
