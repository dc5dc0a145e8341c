package analytics

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ptdv/analytics/breakdown"
	"ptdv/internal/auth"
	"ptdv/internal/db"
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
	duck, conn, pg := writerAndSource(b, url, Options{MemoryLimit: "1GB", Threads: 2})
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

// liveBreakdownSQL computes, in PostgreSQL from the system of record, what one breakdown answer
// holds: a unit's subtree (as it was on the period's date), the members at the date and the
// admissions in the period by sex, for the period and the same period a year before. $1 the unit,
// $2 the period's first day, $3 its date, $4 and $5 the same a year before.
const liveBreakdownSQL = `
WITH per(k, starts, on_date) AS (VALUES ('cur', $2::date, $3::date), ('ly', $4::date, $5::date)),
sub AS (
	SELECT per.k, per.starts, per.on_date, l.unit_id FROM per JOIN org_link top ON top.unit_id = $1
		AND top.valid_from <= per.on_date AND (top.valid_to IS NULL OR top.valid_to > per.on_date)
	JOIN org_link l ON l.path <@ top.path AND l.valid_from <= per.on_date AND (l.valid_to IS NULL OR l.valid_to > per.on_date)),
f AS (
	SELECT sub.k, 'stock' AS measure, s.person_id FROM sub JOIN member_status_span s ON s.unit_id = sub.unit_id
		AND s.valid_from <= sub.on_date AND (s.valid_to IS NULL OR s.valid_to > sub.on_date)
		AND s.status IN ('probationary', 'full', 'exempted', 'temporary_out')
	UNION ALL
	SELECT sub.k, 'admissions', e.person_id FROM sub JOIN member_event e ON e.unit_id = sub.unit_id
		AND e.kind IN ('admitted', 'readmitted') AND coalesce(e.decision_date, e.effective) BETWEEN sub.starts AND sub.on_date)
SELECT f.k, f.measure, coalesce(p.sex, 'unknown'), count(*) FROM f JOIN person p ON p.id = f.person_id GROUP BY 1, 2, 3`

// BenchmarkBreakdownRead reads one breakdown (a province, this year, by sex, as it was) the way
// GraphQL's breakdown field does (package breakdown over the reporting schema, scope checked), and
// computes the same numbers live in PostgreSQL, printing both times and their ratio. Opt-in:
// PTDV_BENCH_ANALYTICS_URL, the owner URL of a seeded database on which `ptdv nightly` has run.
func BenchmarkBreakdownRead(b *testing.B) {
	url := os.Getenv("PTDV_BENCH_ANALYTICS_URL")
	if url == "" {
		b.Skip("set PTDV_BENCH_ANALYTICS_URL to the owner URL of a database with a nightly run")
	}
	ctx := context.Background()
	owner, err := db.Open(ctx, url, db.Options{ApplicationName: "ptdv-bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	var unit int64
	var code string
	if err := owner.QueryRowContext(ctx, `SELECT u.id, u.code FROM org_unit u WHERE u.kind = 'province' AND u.valid_to IS NULL
		ORDER BY (SELECT count(*) FROM org_link l WHERE l.path <@ (SELECT path FROM org_link WHERE unit_id = u.id AND valid_to IS NULL)) DESC
		LIMIT 1`).Scan(&unit, &code); err != nil {
		b.Fatal(err)
	}
	a, err := auth.Resolve(ctx, owner, auth.Claims{Role: string(auth.RoleAdmin), Unit: code})
	if err != nil {
		b.Fatal(err)
	}
	actx := auth.WithActor(ctx, a)
	run, err := breakdown.Latest(ctx, owner)
	if err != nil {
		b.Fatal(err)
	}
	label := strconv.Itoa(run.AsOf.Year())
	var got breakdown.Result
	began := time.Now()
	for b.Loop() {
		if got, err = breakdown.Get(actx, owner, unit, label, "sex", breakdown.AsWas); err != nil {
			b.Fatal(err)
		}
	}
	read := time.Since(began) / time.Duration(b.N)
	p := got.Period
	ly := func(t time.Time) time.Time { return t.AddDate(-1, 0, 0) }
	const liveRuns = 3
	began = time.Now()
	live := map[string]float64{}
	for range liveRuns {
		rows, err := owner.DB.QueryContext(ctx, liveBreakdownSQL, unit, p.StartsOn, p.OnDate, ly(p.StartsOn), ly(p.OnDate))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var k, m, c string
			var n float64
			rows.Scan(&k, &m, &c, &n)
			live[k+"/"+m+"/"+c] = n
		}
		rows.Close()
	}
	liveTime := time.Since(began) / liveRuns
	// The two agree (the snapshot is of the same data).
	for _, r := range got.Rows {
		if r.N != nil && live["cur/"+r.Measure+"/"+r.Category] != *r.N {
			b.Errorf("%s %s: snapshot %v, live %v", r.Measure, r.Category, *r.N, live["cur/"+r.Measure+"/"+r.Category])
		}
	}
	b.Logf("breakdown of unit %d (%s), %s, by sex: read %v, live in PostgreSQL %v (%.0f× faster), %d rows",
		unit, code, label, read.Round(time.Microsecond), liveTime.Round(time.Millisecond), float64(liveTime)/float64(read), len(got.Rows))
	b.ReportMetric(float64(read.Microseconds())/1000, "read_ms")
	b.ReportMetric(float64(liveTime.Microseconds())/1000, "live_ms")
}
