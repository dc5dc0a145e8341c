package analytics

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ptdv/internal/pgtest"
)

// benchTreeSQL is a national-size tree: 34 provinces, 98 communes each, 135 cells under each
// commune (≈ 453,000 units, one name and one link each).
const benchTreeSQL = `
INSERT INTO org_operation (id, kind, effective, recorded_by) OVERRIDING SYSTEM VALUE VALUES (1, 'create', '2020-01-01', 'bench');
CREATE TEMP TABLE g AS
	SELECT p::bigint AS id, NULL::bigint AS parent, p::text AS path, 'province' AS kind FROM generate_series(1, 34) p
	UNION ALL
	SELECT 1000 + (p-1)*100 + c, p, p || '.' || (1000 + (p-1)*100 + c), 'grassroots_committee'
	FROM generate_series(1, 34) p, generate_series(1, 98) c
	UNION ALL
	SELECT 100000 + ((p-1)*98 + (c-1))*135 + x, 1000 + (p-1)*100 + c,
		p || '.' || (1000 + (p-1)*100 + c) || '.' || (100000 + ((p-1)*98 + (c-1))*135 + x), 'cell'
	FROM generate_series(1, 34) p, generate_series(1, 98) c, generate_series(1, 135) x;
INSERT INTO org_unit (id, code, kind, sector, valid_from, created_op) OVERRIDING SYSTEM VALUE
	SELECT id, 'U' || id, kind, 'territorial', '2020-01-01', 1 FROM g;
INSERT INTO org_unit_name (unit_id, name, valid_from, op_id) SELECT id, 'Đơn vị ' || id, '2020-01-01', 1 FROM g;
INSERT INTO org_link (unit_id, parent_id, path, valid_from, op_id) SELECT id, parent, path::ltree, '2020-01-01', 1 FROM g;
ANALYZE;
`

// BenchmarkSnapshot snapshots a national-size tree (run with -bench Snapshot -benchtime 1x).
func BenchmarkSnapshot(b *testing.B) {
	ctx := context.Background()
	d := pgtest.New(b)
	began := time.Now()
	if _, err := d.Owner.DB.ExecContext(ctx, benchTreeSQL); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated the tree in %v", time.Since(began).Round(time.Millisecond))
	dir := b.TempDir()
	opts := Options{
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
		AsOf:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		MemoryLimit: "1GB",
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Snapshot(ctx, d.URL, dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Tables["org_unit"]+r.Tables["org_unit_name"]+r.Tables["org_link"])/r.Duration.Seconds(), "rows/s")
		b.Logf("snapshot of %d units took %v", r.Tables["org_unit"], r.Duration.Round(time.Millisecond))
	}
}

// BenchmarkExtract measures the loader against PostgreSQL's own streaming rate on an existing
// database (opt-in: PTDV_BENCH_ANALYTICS_URL, a superuser URL, e.g. of a `ptdv seed --scale
// province` cluster): for each large source, a server-side COPY (same query) TO '/dev/null'
// (FORMAT binary), then the same query into a scratch DuckDB table through load. It prints both
// rates and their ratio.
func BenchmarkExtract(b *testing.B) {
	url := os.Getenv("PTDV_BENCH_ANALYTICS_URL")
	if url == "" {
		b.Skip("set PTDV_BENCH_ANALYTICS_URL to a superuser URL of a seeded database")
	}
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	dir := b.TempDir()
	duck, err := openWriter(filepath.Join(dir, "bench.duckdb"), Options{MemoryLimit: "1GB", Threads: 2}, filepath.Join(dir, "tmp"))
	if err != nil {
		b.Fatal(err)
	}
	defer duck.Close()
	conn, err := duck.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	pg, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close(ctx)
	var copyRows, loadRows int64
	var copyTime, loadTime time.Duration
	for b.Loop() {
		for _, s := range sources {
			switch s.table {
			case "person", "person_unit", "member_event", "member_status_span", "candidate_case", "case_event":
			default:
				continue
			}
			q := pseudonymize(s.query, key)
			began := time.Now()
			tag, err := pg.Exec(ctx, "COPY ("+q+") TO '/dev/null' (FORMAT binary)")
			if err != nil {
				b.Fatal(err)
			}
			ct := time.Since(began)
			tx, err := pg.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
			if err != nil {
				b.Fatal(err)
			}
			conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+ident(s.table))
			began = time.Now()
			n, err := load(ctx, tx, conn, s.table, q)
			lt := time.Since(began)
			tx.Rollback(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%-20s %9d rows: COPY TO /dev/null %8.0f rows/s, load %8.0f rows/s, ratio %.0f %%",
				s.table, n, float64(tag.RowsAffected())/ct.Seconds(), float64(n)/lt.Seconds(), 100*ct.Seconds()/lt.Seconds())
			copyRows += tag.RowsAffected()
			loadRows += n
			copyTime += ct
			loadTime += lt
		}
	}
	// The same tables in parallel streams on one exported snapshot, as the nightly copies them.
	var big []source
	for _, s := range sources {
		switch s.table {
		case "person", "person_unit", "member_event", "member_status_span", "candidate_case", "case_event":
			big = append(big, s)
		}
	}
	for _, s := range big {
		conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+ident(s.table))
	}
	began := time.Now()
	_, copied, err := copyFromPostgres(ctx, url, duck, big, key, Options{Streams: 3}, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		b.Fatal(err)
	}
	pt := time.Since(began)
	var pn int64
	for _, n := range copied {
		pn += n
	}
	b.Logf("%-20s %9d rows: COPY TO /dev/null %8.0f rows/s (one stream per table, in turn), 3 streams %8.0f rows/s in %v, ratio %.0f %%",
		"six tables", pn, float64(copyRows)/copyTime.Seconds(), float64(pn)/pt.Seconds(), pt.Round(time.Millisecond), 100*copyTime.Seconds()/pt.Seconds())
	b.ReportMetric(float64(pn)/pt.Seconds(), "streams_rows/s")
	b.ReportMetric(float64(copyRows)/copyTime.Seconds(), "copy_rows/s")
	b.ReportMetric(float64(loadRows)/loadTime.Seconds(), "load_rows/s")
	b.ReportMetric(100*copyTime.Seconds()/loadTime.Seconds(), "ratio_%")
}
