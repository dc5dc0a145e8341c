package analytics

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ptdv/internal/pgtest"
	"ptdv/internal/vn"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// treeSQL is a small tree that changes on 1 July 2025, when districts were abolished:
//
//	before                                   from 2025-07-01
//	P1 Tỉnh Một (1)                          P1 Tỉnh Một (1)
//	  D1 (3)              district, ends       C1 (4) renamed "Xã Một Mới"
//	    C1 (4) commune                           X1 (8), X2 (9)
//	      X1 (8), X2 (9)  cells                  X3 (10)        moved from C2
//	    C2 (5) commune    merged into C1
//	      X3 (10)                            P2 Tỉnh Hai Mới (2)  renamed
//	    G1 (6)            grassroots cell      G1 (6)             moved from D1 (other province)
//	P2 Tỉnh Hai (2)                            C3 (7)
//	  C3 (7) commune                             X4 (11), X5 (12)  X5 new
//	    X4 (11)
const treeSQL = `
INSERT INTO org_operation (id, kind, effective, document, recorded_by, details) OVERRIDING SYSTEM VALUE VALUES
	(1, 'create',   '2020-01-01', 'QĐ 1', 'test', '{}'),
	(2, 'move',     '2025-07-01', 'QĐ 294', 'test', '{"units": [4, 6]}'),
	(3, 'merge',    '2025-07-01', 'QĐ 295', 'test', '{}'),
	(4, 'dissolve', '2025-07-01', 'QĐ 296', 'test', '{}'),
	(5, 'rename',   '2025-07-01', 'QĐ 297', 'test', '{}'),
	(6, 'create',   '2025-07-01', 'QĐ 298', 'test', '{}');

INSERT INTO org_unit (id, code, kind, sector, valid_from, valid_to, created_op, ended_op) OVERRIDING SYSTEM VALUE VALUES
	(1,  'P1', 'province',             'territorial',  '2020-01-01', NULL,         1, NULL),
	(2,  'P2', 'province',             'territorial',  '2020-01-01', NULL,         1, NULL),
	(3,  'D1', 'district',             'territorial',  '2020-01-01', '2025-07-01', 1, 4),
	(4,  'C1', 'grassroots_committee', 'territorial',  '2020-01-01', NULL,         1, NULL),
	(5,  'C2', 'grassroots_committee', 'territorial',  '2020-01-01', '2025-07-01', 1, 3),
	(6,  'G1', 'grassroots_cell',      'state_agency', '2020-01-01', NULL,         1, NULL),
	(7,  'C3', 'grassroots_committee', 'territorial',  '2020-01-01', NULL,         1, NULL),
	(8,  'X1', 'cell',                 'territorial',  '2020-01-01', NULL,         1, NULL),
	(9,  'X2', 'cell',                 'territorial',  '2020-01-01', NULL,         1, NULL),
	(10, 'X3', 'cell',                 'territorial',  '2020-01-01', NULL,         1, NULL),
	(11, 'X4', 'cell',                 'territorial',  '2020-01-01', NULL,         1, NULL),
	(12, 'X5', 'cell',                 'territorial',  '2025-07-01', NULL,         6, NULL);

INSERT INTO org_unit_name (unit_id, name, valid_from, valid_to, op_id) VALUES
	(1,  'Tỉnh Một',     '2020-01-01', NULL,         1),
	(2,  'Tỉnh Hai',     '2020-01-01', '2025-07-01', 1),
	(2,  'Tỉnh Hai Mới', '2025-07-01', NULL,         5),
	(3,  'Huyện Một',    '2020-01-01', '2025-07-01', 1),
	(4,  'Xã Một',       '2020-01-01', '2025-07-01', 1),
	(4,  'Xã Một Mới',   '2025-07-01', NULL,         5),
	(5,  'Xã Hai',       '2020-01-01', '2025-07-01', 1),
	(6,  'Chi bộ Sở',    '2020-01-01', NULL,         1),
	(7,  'Xã Ba',        '2020-01-01', NULL,         1),
	(8,  'Chi bộ thôn 1', '2020-01-01', NULL,        1),
	(9,  'Chi bộ thôn 2', '2020-01-01', NULL,        1),
	(10, 'Chi bộ thôn 3', '2020-01-01', NULL,        1),
	(11, 'Chi bộ thôn 4', '2020-01-01', NULL,        1),
	(12, 'Chi bộ thôn 5', '2025-07-01', NULL,        6);

INSERT INTO org_link (unit_id, parent_id, path, valid_from, valid_to, op_id) VALUES
	(1,  NULL, '1',        '2020-01-01', NULL,         1),
	(2,  NULL, '2',        '2020-01-01', NULL,         1),
	(3,  1,    '1.3',      '2020-01-01', '2025-07-01', 1),
	(4,  3,    '1.3.4',    '2020-01-01', '2025-07-01', 1),
	(4,  1,    '1.4',      '2025-07-01', NULL,         2),
	(5,  3,    '1.3.5',    '2020-01-01', '2025-07-01', 1),
	(6,  3,    '1.3.6',    '2020-01-01', '2025-07-01', 1),
	(6,  2,    '2.6',      '2025-07-01', NULL,         2),
	(7,  2,    '2.7',      '2020-01-01', NULL,         1),
	(8,  4,    '1.3.4.8',  '2020-01-01', '2025-07-01', 1),
	(8,  4,    '1.4.8',    '2025-07-01', NULL,         2),
	(9,  4,    '1.3.4.9',  '2020-01-01', '2025-07-01', 1),
	(9,  4,    '1.4.9',    '2025-07-01', NULL,         2),
	(10, 5,    '1.3.5.10', '2020-01-01', '2025-07-01', 1),
	(10, 4,    '1.4.10',   '2025-07-01', NULL,         3),
	(11, 7,    '2.7.11',   '2020-01-01', NULL,         1),
	(12, 7,    '2.7.12',   '2025-07-01', NULL,         6);

INSERT INTO org_lineage (op_id, predecessor_id, successor_id, effective) VALUES (3, 5, 4, '2025-07-01');

INSERT INTO village (id, code, name, kind, commune_id, valid_from) OVERRIDING SYSTEM VALUE VALUES
	(1, 'V1', 'Thôn 1', 'village', 4, '2020-01-01'),
	(2, 'V4', 'Tổ dân phố 4', 'residential_group', 7, '2020-01-01');

INSERT INTO village_cell (village_id, cell_id, valid_from, recorded_by) VALUES
	(1, 8, '2020-01-01', 'test'),
	(2, 11, '2020-01-01', 'test');
`

var (
	before = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	after  = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
)

func testOptions(t *testing.T, asOf time.Time) Options {
	return Options{
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		AsOf:        asOf,
		MemoryLimit: "1GB",
		Threads:     1,
	}
}

func TestSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	if _, err := d.Owner.DB.ExecContext(ctx, treeSQL); err != nil {
		t.Fatal(err)
	}
	// A case whose decision was recorded late, as an office's history is (issue 17): the flag and the
	// working days late are in the snapshot, countable ("quyết định kết nạp quá hạn").
	if _, err := d.Owner.DB.ExecContext(ctx, `
		INSERT INTO person (id, full_name, sex, birth_date, unit_id) OVERRIDING SYSTEM VALUE VALUES (1, 'Nguyễn Văn An', 'male', '1995-01-01', 10);
		INSERT INTO candidate_case (id, person_id, cell_id, proposer, stage, stage_since, listed_on) OVERRIDING SYSTEM VALUE
			VALUES (1, 1, 10, (SELECT code FROM code_item WHERE list = 'proposer' ORDER BY code LIMIT 1), 'decision', '2024-10-15', '2024-01-10');
		INSERT INTO case_event (case_id, kind, stage_after, effective, recorded_by, late_rule, late_days) VALUES
			(1, 'listed', 'source', '2024-01-10', 'test', NULL, NULL),
			(1, 'decided', 'decision', '2024-10-15', 'test', (SELECT id FROM rule WHERE enforcement = 'deadline' ORDER BY id LIMIT 1), 47)`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap") // Snapshot creates it
	final := filepath.Join(dir, PublishedName)

	// Leftovers of a crashed run, which the next run removes.
	if err := os.MkdirAll(filepath.Join(dir, tempDirName), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ptdv-20250101T000000.000000Z.duckdb.tmp", "ptdv-20250101T000000.000000Z.duckdb.tmp.wal"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	r1, err := Snapshot(ctx, d.URL, dir, testOptions(t, before))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot as of %s took %v", before.Format(time.DateOnly), r1.Duration)
	var out strings.Builder
	r1.Print(&out)
	t.Logf("\n%s", out.String())

	if r1.Path != final || !r1.AsOf.Equal(before) {
		t.Errorf("Path, AsOf = %s, %v; want %s, %v", r1.Path, r1.AsOf, final, before)
	}
	wantTables := map[string]int64{
		"org_kind": 5, "org_sector": 8, "org_unit": 12, "org_unit_name": 14, "org_link": 17,
		"org_lineage": 1, "org_operation": 6, "village": 2, "village_cell": 2,
		"unit_asof": 11, "unit_counts": 8, "snapshot_meta": 1,
	}
	for name, want := range wantTables {
		if r1.Tables[name] != want {
			t.Errorf("table %s has %d rows, want %d (all: %v)", name, r1.Tables[name], want, r1.Tables)
		}
	}
	checkCounts(t, r1,
		map[string]int64{"province": 2, "district": 1, "grassroots_committee": 3, "grassroots_cell": 1, "cell": 4},
		[]ProvinceCount{
			{Code: "P1", Name: "Tỉnh Một", Total: 8, ByKind: map[string]int64{"province": 1, "district": 1, "grassroots_committee": 2, "grassroots_cell": 1, "cell": 3}},
			{Code: "P2", Name: "Tỉnh Hai", Total: 3, ByKind: map[string]int64{"province": 1, "grassroots_committee": 1, "cell": 1}},
		})
	checkDir(t, dir)
	for _, s := range []string{"Số tổ chức đảng tại ngày 30/06/2025", "Đảng bộ tỉnh, thành phố", "Chi bộ trực thuộc", "Tỉnh Hai", "Tổng cộng"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("Print output lacks %q", s)
		}
	}

	// A reader opens the published file before the next snapshot replaces it.
	old, err := Open(final)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldConn, err := old.Conn(ctx) // also hold a connection across the rename
	if err != nil {
		t.Fatal(err)
	}
	defer oldConn.Close()
	checkReader(t, old, before, 11)
	if _, err := old.ExecContext(ctx, "CREATE TABLE x (i INTEGER)"); err == nil {
		t.Error("a reader could create a table in the published file")
	}
	var meta struct {
		version       int
		snapshot, lsn string
		units         int64
	}
	if err := old.QueryRowContext(ctx, `SELECT format_version, pg_snapshot, pg_lsn, row_counts['org_unit'] FROM snapshot_meta`).
		Scan(&meta.version, &meta.snapshot, &meta.lsn, &meta.units); err != nil {
		t.Fatal(err)
	}
	if meta.version != FormatVersion || meta.snapshot == "" || meta.lsn == "" || meta.units != 12 {
		t.Errorf("snapshot_meta = %+v", meta)
	}
	var late struct {
		n, days int
		rule    string
	}
	if err := old.QueryRowContext(ctx, `SELECT count(*), max(late_days), max(late_rule) FROM case_event WHERE late_rule IS NOT NULL`).
		Scan(&late.n, &late.days, &late.rule); err != nil || late.n != 1 || late.days != 47 || late.rule == "" {
		t.Errorf("late events in the snapshot: %+v, %v; want one, 47 working days late", late, err)
	}
	var got struct {
		parent         sql.NullInt64
		path, province string
		depth          int
		provinceID     int64
		name           string
	}
	const x3 = `SELECT parent_id, path, depth, province_id, province_name, name FROM unit_asof WHERE code = 'X3'`
	if err := old.QueryRowContext(ctx, x3).Scan(&got.parent, &got.path, &got.depth, &got.provinceID, &got.province, &got.name); err != nil {
		t.Fatal(err)
	}
	if got.parent.Int64 != 5 || got.path != "1.3.5.10" || got.depth != 4 || got.provinceID != 1 || got.province != "Tỉnh Một" {
		t.Errorf("X3 before = %+v", got)
	}

	r2, err := Snapshot(ctx, d.URL, dir, testOptions(t, after))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot as of %s took %v", after.Format(time.DateOnly), r2.Duration)
	out.Reset()
	r2.Print(&out)
	t.Logf("\n%s", out.String())
	checkCounts(t, r2,
		map[string]int64{"province": 2, "district": 0, "grassroots_committee": 2, "grassroots_cell": 1, "cell": 5},
		[]ProvinceCount{
			{Code: "P1", Name: "Tỉnh Một", Total: 5, ByKind: map[string]int64{"province": 1, "grassroots_committee": 1, "cell": 3}},
			{Code: "P2", Name: "Tỉnh Hai Mới", Total: 5, ByKind: map[string]int64{"province": 1, "grassroots_committee": 1, "grassroots_cell": 1, "cell": 2}},
		})
	if r2.Tables["unit_asof"] != 10 {
		t.Errorf("unit_asof after has %d rows, want 10", r2.Tables["unit_asof"])
	}
	checkDir(t, dir)

	// The old reader still sees the file it opened, whole; a new reader sees the new one.
	checkReader(t, old, before, 11)
	var n int64
	if err := oldConn.QueryRowContext(ctx, `SELECT count(*) FROM unit_asof`).Scan(&n); err != nil || n != 11 {
		t.Errorf("held connection: %d units, %v; want 11", n, err)
	}
	cur, err := Open(final)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	checkReader(t, cur, after, 10)
	if err := cur.QueryRowContext(ctx, x3).Scan(&got.parent, &got.path, &got.depth, &got.provinceID, &got.province, &got.name); err != nil {
		t.Fatal(err)
	}
	if got.parent.Int64 != 4 || got.path != "1.4.10" || got.depth != 3 || got.provinceID != 1 || got.province != "Tỉnh Một" {
		t.Errorf("X3 after = %+v", got)
	}
}

// checkCounts compares the counts of a Result with the expected ones; kinds absent from
// wantKind must not appear.
func checkCounts(t *testing.T, r Result, wantKind map[string]int64, wantProv []ProvinceCount) {
	t.Helper()
	var kinds []string
	for _, k := range r.ByKind {
		kinds = append(kinds, k.Kind)
		if k.N != wantKind[k.Kind] {
			t.Errorf("as of %s: %s (%s) = %d, want %d", r.AsOf.Format(time.DateOnly), k.Kind, k.Label, k.N, wantKind[k.Kind])
		}
		if k.Label == "" {
			t.Errorf("kind %s has no label", k.Kind)
		}
	}
	// org_kind's rank order; the two rank-3 kinds by code.
	if want := []string{"province", "district", "grassroots_cell", "grassroots_committee", "cell"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	if !reflect.DeepEqual(r.ByProvince, wantProv) {
		t.Errorf("as of %s: ByProvince = %+v\nwant %+v", r.AsOf.Format(time.DateOnly), r.ByProvince, wantProv)
	}
}

// checkDir checks that the published file exists and nothing temporary is left beside it.
func checkDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{lockName, keyName, generationsDir, PublishedName}; !reflect.DeepEqual(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}
}

// checkReader checks that a reader sees one snapshot, whole: its as-of date, its unit count in
// both derived tables.
func checkReader(t *testing.T, db *sql.DB, asOf time.Time, units int64) {
	t.Helper()
	var got time.Time
	var a, b int64
	err := db.QueryRow(`SELECT (SELECT as_of FROM snapshot_meta), (SELECT count(*) FROM unit_asof), (SELECT sum(n) FROM unit_counts)`).
		Scan(&got, &a, &b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(asOf) || a != units || b != units {
		t.Errorf("reader sees as_of %s, %d units, %d counted; want %s, %d", got.Format(time.DateOnly), a, b, asOf.Format(time.DateOnly), units)
	}
}

// TestSnapshotLocked runs two snapshots into one directory at once: the second fails with
// ErrLocked and leaves the first alone. Not parallel: it sets a package hook, which must not
// be set while other tests run Snapshot.
func TestSnapshotLocked(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	dir := t.TempDir()

	locked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	testHookLocked = func() {
		once.Do(func() {
			close(locked)
			<-release
		})
	}
	defer func() { testHookLocked = nil }()

	first := make(chan error, 1)
	go func() {
		_, err := Snapshot(ctx, d.URL, dir, testOptions(t, after))
		first <- err
	}()
	<-locked
	began := time.Now()
	_, err := Snapshot(ctx, d.URL, dir, testOptions(t, after))
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Snapshot: %v, want ErrLocked", err)
	} else {
		t.Logf("second Snapshot: %v (after %v)", err, time.Since(began))
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first Snapshot: %v", err)
	}
	checkDir(t, dir)

	// The lock is released: a third run goes through.
	if _, err := Snapshot(ctx, d.URL, dir, testOptions(t, after)); err != nil {
		t.Fatalf("third Snapshot: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), PublishedName))
	if err == nil {
		db.Close()
		t.Fatal("Open of a missing file succeeded")
	}
	t.Log(err)
}

func TestFormatVN(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 1234567: "1.234.567", -45000: "-45.000"} {
		if got := vn.Int(n); got != want {
			t.Errorf("vn.Int(%d) = %q, want %q", n, got, want)
		}
	}
}

// writerAndSource opens what a loader test copies between: a DuckDB writer with o in a temporary
// folder, a connection to it, and a PostgreSQL connection to url, all closed when tb ends.
func writerAndSource(tb testing.TB, url string, o Options) (*sql.DB, *sql.Conn, *pgx.Conn) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := openWriter(filepath.Join(dir, "w.duckdb"), o, filepath.Join(dir, "tmp"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	pg, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pg.Close(ctx) })
	return db, conn, pg
}
