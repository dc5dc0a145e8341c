package analytics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ptdv/analytics/breakdown"
	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/pgtest"
	"ptdv/internal/seed"
)

func nightlyOptions(t *testing.T, dir string) NightlyOptions {
	return NightlyOptions{Options: testOptions(t, demoToday), ParquetDir: filepath.Join(dir, "parquet")}
}

func actor(t *testing.T, d *pgtest.DB, role auth.Role, unit string) context.Context {
	t.Helper()
	a, err := auth.Resolve(context.Background(), d.Owner, auth.Claims{Role: string(role), Unit: unit})
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithActor(context.Background(), a)
}

// reportingState is what readers of the reporting schema see: the latest succeeded run and the
// number of rows of each result table per run.
func reportingState(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	err := db.QueryRow(`SELECT coalesce((SELECT max(id) FROM reporting.nightly_run WHERE status = 'succeeded'), 0) || ' ' ||
		(SELECT count(*) FROM reporting.breakdown) || ' ' || (SELECT count(*) FROM reporting.funnel) || ' ' ||
		(SELECT count(*) FROM reporting.period)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNightly runs the whole job on the demo data: before any run the API says so in Vietnamese;
// a run publishes the file, Parquet and the reporting schema, which agree with each other; the job
// stopped at every point leaves the previous publication serving and no half-written run visible,
// and the next run succeeds; the API reads are scoped, validated and suppress small sensitive
// counts at cell level for analysts and viewers.
func TestNightly(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	if _, err := seed.Run(ctx, d.URL, seed.Options{Scale: "small", Seed: 1, Today: demoToday}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	admin := auth.WithActor(ctx, auth.System("test"))
	var province int64
	var provinceCode string
	if err := d.Owner.QueryRowContext(ctx, `SELECT u.id, u.code FROM org_unit u JOIN org_link l ON l.unit_id = u.id
		WHERE u.kind = 'province' AND l.valid_to IS NULL ORDER BY u.id LIMIT 1`).Scan(&province, &provinceCode); err != nil {
		t.Fatal(err)
	}

	// Before any run.
	_, err := breakdown.Get(admin, d.Owner, province, "2025", "sex", breakdown.AsWas)
	if e, ok := apperr.As(err); !ok || e.Code != apperr.NotFound || e.Message == "" {
		t.Fatalf("before any run: %v, want NOT_FOUND", err)
	} else {
		t.Logf("before any run: %s", e.Message)
	}

	run1, err := Nightly(ctx, d.URL, dir, nightlyOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run %d: %v steps %v", run1.ID, run1.Duration, run1.Steps)
	checkPublications(t, d, run1)
	served := reportingState(t, d.Owner.DB)
	published, err := os.ReadFile(filepath.Join(dir, PublishedName))
	if err != nil {
		t.Fatal(err)
	}

	// The job stopped at each point: the previous publication keeps serving.
	for _, point := range []string{"copy.person", "before_rename", "after_rename", "postgres.breakdown"} {
		testHookPoint = func(p string) error {
			if p == point {
				return fmt.Errorf("stopped at %s", p)
			}
			return nil
		}
		_, err := Nightly(ctx, d.URL, dir, nightlyOptions(t, dir))
		testHookPoint = nil
		if err == nil {
			t.Fatalf("stopped at %s: the run succeeded", point)
		}
		if got := reportingState(t, d.Owner.DB); got != served {
			t.Errorf("stopped at %s: reporting shows %s, want %s", point, got, served)
		}
		var status, msg string
		if err := d.Owner.QueryRowContext(ctx, `SELECT status, coalesce(error, '') FROM reporting.nightly_run ORDER BY id DESC LIMIT 1`).Scan(&status, &msg); err != nil || status != "failed" {
			t.Errorf("stopped at %s: last run %s %q, %v", point, status, msg, err)
		}
		now, err := os.ReadFile(filepath.Join(dir, PublishedName))
		if err != nil {
			t.Fatal(err)
		}
		renamed := point == "after_rename" || point == "postgres.breakdown"
		if !renamed && string(now) != string(published) {
			t.Errorf("stopped at %s: the published file changed", point)
		}
		published = now
		leftovers, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"))
		if len(leftovers) > 0 {
			t.Errorf("stopped at %s: left %v", point, leftovers)
		}
	}
	// A run killed outright stays 'running' until the next run closes it.
	if _, err := d.Owner.ExecContext(ctx, `INSERT INTO reporting.nightly_run (as_of) VALUES ('2026-06-10')`); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, tmpPrefix+"killed"+tmpSuffix), []byte("half"), 0o644)
	// The second run packs the breakdown in parts (as a national one does); the checks are the same.
	packRows = 50_000
	defer func() { packRows = 2_000_000 }()
	run2, err := Nightly(ctx, d.URL, dir, nightlyOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	checkPublications(t, d, run2)
	var running int
	d.Owner.QueryRowContext(ctx, `SELECT count(*) FROM reporting.nightly_run WHERE status = 'running'`).Scan(&running)
	if running != 0 {
		t.Errorf("%d runs still marked running", running)
	}
	gens, _ := filepath.Glob(filepath.Join(dir, generationsDir, "*.duckdb"))
	if len(gens) != 3 {
		t.Errorf("generations kept: %v, want 3", gens)
	}

	// A second run while one holds the lock.
	pg, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatal(err)
	}
	pg.Exec(ctx, `SELECT pg_advisory_lock($1)`, advisoryKey)
	if _, err := Nightly(ctx, d.URL, dir, nightlyOptions(t, dir)); !errors.Is(err, ErrRunning) {
		t.Errorf("concurrent run: %v, want ErrRunning", err)
	}
	pg.Close(ctx)

	checkAPI(t, d, run2, province, provinceCode)
	checkLive(t, d)
}

// checkPublications compares the file's views, the Parquet copy (read back with DuckDB's
// read_parquet over the hive directories) and the reporting schema.
func checkPublications(t *testing.T, d *pgtest.DB, run Run) {
	t.Helper()
	ctx := context.Background()
	duck, err := Open(run.Snapshot.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	b, err := os.ReadFile(filepath.Join(run.Parquet.Dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Run != run.ID || m.AsOf != "2026-06-10" || len(m.Tables["breakdown"].Files) < 4 {
		t.Fatalf("manifest = %s", b)
	}
	for _, tb := range []string{"breakdown", "funnel", "unit_gap"} {
		glob := quote(filepath.Join(run.Parquet.Dir, tb, "**", "*.parquet"))
		// The table's columns by name (hive partition columns come last in Parquet; province
		// comes from the directory names).
		var cols string
		if err := duck.QueryRowContext(ctx, `SELECT string_agg(column_name, ', ' ORDER BY column_index) FROM duckdb_columns()
			WHERE database_name = current_database() AND table_name = ? AND column_name <> 'province_id'`, tb).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		q := fmt.Sprintf(`SELECT
			(SELECT count(*) FROM (SELECT %[1]s FROM v_%[2]s EXCEPT ALL SELECT %[1]s FROM read_parquet(%[3]s, hive_partitioning = true))),
			(SELECT count(*) FROM (SELECT %[1]s FROM read_parquet(%[3]s, hive_partitioning = true) EXCEPT ALL SELECT %[1]s FROM v_%[2]s)),
			(SELECT count(*) FROM read_parquet(%[3]s, hive_partitioning = true) p
				WHERE p.province <> coalesce((SELECT province_id::VARCHAR FROM unit_province_check c WHERE c.id = p.unit_id), 'none')),
			(SELECT count(*) FROM v_%[2]s)`, cols, tb, glob)
		q = strings.ReplaceAll(q, "unit_province_check", "(SELECT DISTINCT unit_id AS id, province_id FROM "+tb+")")
		var onlyView, onlyParquet, badProvince, n int64
		if err := duck.QueryRowContext(ctx, q).Scan(&onlyView, &onlyParquet, &badProvince, &n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		if onlyView != 0 || onlyParquet != 0 || badProvince != 0 || n == 0 || m.Tables[tb].Rows != n {
			t.Errorf("%s: %d rows only in the view, %d only in Parquet, %d in a wrong province directory, %d rows (manifest %d)",
				tb, onlyView, onlyParquet, badProvince, n, m.Tables[tb].Rows)
		}
	}
	// The breakdown's computed columns, unpacked by the view reporting.breakdown, agree with the file's.
	const agg = `count(share), coalesce(sum(share), 0), count(n_last_year), coalesce(sum(n_last_year), 0),
		coalesce(sum(total * (dimension = 'sex')::int), 0), coalesce(sum(total_last_year * (dimension = 'sex')::int), 0),
		count(share_last_year), coalesce(sum(share_last_year), 0), count(change), coalesce(sum(change), 0),
		count(DISTINCT dimension || '/' || category), coalesce(sum(extract(day FROM on_date) + extract(month FROM starts_on)), 0)`
	fileAgg, pgAgg := make([]float64, 12), make([]float64, 12)
	scan := func(v []float64) []any {
		p := make([]any, len(v))
		for i := range v {
			p[i] = &v[i]
		}
		return p
	}
	if err := duck.QueryRowContext(ctx, `SELECT `+strings.ReplaceAll(agg, "::int", "::INT")+` FROM breakdown`).Scan(scan(fileAgg)...); err != nil {
		t.Fatal(err)
	}
	if err := d.Owner.QueryRowContext(ctx, `SELECT `+agg+` FROM reporting.breakdown WHERE run_id = ?`, run.ID).Scan(scan(pgAgg)...); err != nil {
		t.Fatal(err)
	}
	for i := range fileAgg {
		if math.Abs(fileAgg[i]-pgAgg[i]) > 1e-6*math.Max(1, math.Abs(fileAgg[i])) {
			t.Errorf("breakdown aggregate %d: file %v, PostgreSQL %v", i, fileAgg[i], pgAgg[i])
		}
	}
	if fileAgg[2] == 0 || fileAgg[8] == 0 {
		t.Errorf("no last-year figures in the file: %v", fileAgg)
	}

	// The reporting schema holds the file's rows for the run.
	for _, tb := range []string{"breakdown", "funnel", "funnel_dropout", "unit_gap", "period"} {
		var inFile, inPG int64
		var sumFile, sumPG float64
		col := map[string]string{"breakdown": "n", "funnel": "entered", "funnel_dropout": "n", "unit_gap": "villages_no_cell", "period": "0"}[tb]
		if err := duck.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), coalesce(sum(%s), 0)::DOUBLE FROM %s`, col, tb)).Scan(&inFile, &sumFile); err != nil {
			t.Fatal(err)
		}
		if err := d.Owner.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), coalesce(sum(%s), 0) FROM reporting.%s WHERE run_id = ?`, col, tb), run.ID).Scan(&inPG, &sumPG); err != nil {
			t.Fatal(err)
		}
		if inFile == 0 && tb != "funnel_dropout" || inFile != inPG || sumFile != sumPG || run.Rows[tb] != inPG {
			t.Errorf("%s: file %d rows (Σ %v), PostgreSQL %d (Σ %v), reported %d", tb, inFile, sumFile, inPG, sumPG, run.Rows[tb])
		}
	}
}

func checkAPI(t *testing.T, d *pgtest.DB, run Run, province int64, provinceCode string) {
	t.Helper()
	ctx := context.Background()
	admin := auth.WithActor(ctx, auth.System("test"))
	res, err := breakdown.Get(admin, d.Owner, province, "2025", "sex", breakdown.AsWas)
	if err != nil {
		t.Fatal(err)
	}
	duck, err := Open(run.Snapshot.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	var want int
	duck.QueryRow(`SELECT count(*) FROM breakdown WHERE map = 'as_was' AND unit_id = ? AND period = '2025' AND dimension = 'sex'`, province).Scan(&want)
	if res.Run.ID != run.ID || len(res.Rows) != want || want == 0 || res.Period.Kind != "year" {
		t.Errorf("breakdown: run %d, %d rows (want run %d, %d rows), period %+v", res.Run.ID, len(res.Rows), run.ID, want, res.Period)
	}
	for _, r := range res.Rows {
		var n float64
		duck.QueryRow(`SELECT n FROM breakdown WHERE map = 'as_was' AND unit_id = ? AND period = '2025' AND dimension = 'sex' AND measure = ? AND category = ?`,
			province, r.Measure, r.Category).Scan(&n)
		if r.N == nil || *r.N != n {
			t.Errorf("breakdown %s %s = %v, want %v", r.Measure, r.Category, r.N, n)
		}
	}
	// Bad input.
	for _, c := range []struct{ period, dim string }{{"2025", "height"}, {"2025-13", "sex"}, {"1990", "sex"}, {"last year", "sex"}} {
		_, err := breakdown.Get(admin, d.Owner, province, c.period, c.dim, breakdown.AsWas)
		if apperr.CodeOf(err) != apperr.InvalidInput {
			t.Errorf("breakdown(%q, %q): %v, want INVALID_INPUT", c.period, c.dim, err)
		}
	}
	// Scope: a board of another unit does not see the province (NOT_FOUND, as if missing).
	var otherCode string
	d.Owner.QueryRowContext(ctx, `SELECT u.code FROM org_unit u JOIN org_link l ON l.unit_id = u.id AND l.valid_to IS NULL
		WHERE u.kind = 'grassroots_committee' LIMIT 1`).Scan(&otherCode)
	if _, err := breakdown.Get(actor(t, d, auth.RoleBoard, otherCode), d.Owner, province, "2025", "sex", breakdown.AsWas); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("outside scope: %v, want NOT_FOUND", err)
	}
	// Suppression at cell level for analysts and viewers, not for the board.
	// A cell of fewer than 5 members at the end of 2025: every ethnicity count of it is small. Cells are
	// counted live (below the top two levels), and suppressed the same way.
	var cell int64
	var cellCode string
	if err := d.Owner.QueryRowContext(ctx, `SELECT u.id, u.code FROM org_unit u JOIN member_status_span s ON s.unit_id = u.id
		WHERE u.kind = 'cell' AND s.valid_from <= '2025-12-31' AND (s.valid_to IS NULL OR s.valid_to > '2025-12-31')
		GROUP BY u.id, u.code HAVING count(*) BETWEEN 1 AND 4 ORDER BY u.id LIMIT 1`).Scan(&cell, &cellCode); err != nil {
		t.Fatal(err)
	}
	for _, role := range []auth.Role{auth.RoleAnalyst, auth.RoleViewer, auth.RoleBoard} {
		res, err := breakdown.Get(actor(t, d, role, provinceCode), d.Owner, cell, "2025", "ethnicity", breakdown.AsWas)
		if err != nil {
			t.Fatal(err)
		}
		var suppressed, small int
		for _, r := range res.Rows {
			if r.Suppressed != "" {
				suppressed++
				if r.N != nil || r.Share != nil {
					t.Errorf("%s: suppressed row shows %v", role, r.N)
				}
			} else if r.N != nil && *r.N > 0 && *r.N < 5 {
				small++
			}
		}
		if role == auth.RoleBoard && (suppressed != 0 || small == 0) || role != auth.RoleBoard && (suppressed == 0 || small != 0) {
			t.Errorf("%s at cell %s: %d suppressed, %d small counts shown", role, cellCode, suppressed, small)
		}
	}
	// The same dimension above cell level is not suppressed.
	res, err = breakdown.Get(actor(t, d, auth.RoleAnalyst, provinceCode), d.Owner, province, "2025", "ethnicity", breakdown.AsWas)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.Suppressed != "" {
			t.Errorf("province row suppressed: %+v", r)
		}
	}
	f, err := breakdown.Funnel(admin, d.Owner, province, "2025")
	if err != nil || len(f.Stages) == 0 {
		t.Errorf("funnel: %+v, %v", f, err)
	}
	runs, err := breakdown.Runs(admin, d.Owner, 10)
	if err != nil || len(runs) < 3 || runs[0].ID != run.ID || runs[0].Status != "succeeded" || runs[0].SecondsPerStep["postgres"] == 0 {
		t.Errorf("runs: %+v, %v", runs, err)
	}
}

// checkLive compares the breakdowns of units below the top two levels, which package breakdown counts
// live from PostgreSQL when asked, with the test's own SQL (pgAsWas, pgToday), on both maps, for
// years, a quarter, a month and a term around the 2025 merger, every dimension, and last year's counts.
func checkLive(t *testing.T, d *pgtest.DB) {
	t.Helper()
	ctx := context.Background()
	admin := auth.WithActor(ctx, auth.System("test"))
	pg := d.Owner.DB
	var term string
	if err := pg.QueryRow(`SELECT label FROM reporting.period WHERE kind = 'term' AND run_id = (SELECT max(id) FROM reporting.nightly_run
		WHERE status = 'succeeded') ORDER BY starts_on LIMIT 1`).Scan(&term); err != nil {
		t.Fatal(err)
	}
	var checked, lyChecked int
	for _, label := range []string{"2024", "2025", "2025-06", "2026-Q2", term} {
		var p, ly breakdown.Period
		var runID int64
		if err := pg.QueryRow(`SELECT run_id, kind, starts_on, on_date FROM reporting.period WHERE label = $1
			AND run_id = (SELECT max(id) FROM reporting.nightly_run WHERE status = 'succeeded')`, label).Scan(&runID, &p.Kind, &p.StartsOn, &p.OnDate); err != nil {
			t.Fatal(err)
		}
		if err := pg.QueryRow(`SELECT starts_on, on_date FROM reporting.period WHERE run_id = $1 AND kind = $2
			AND (kind <> 'term' AND starts_on = $3::date - interval '1 year' OR kind = 'term' AND ends_on < $3 AND ends_on >= $3::date - interval '1 month')
			ORDER BY ends_on DESC LIMIT 1`, runID, p.Kind, p.StartsOn).Scan(&ly.StartsOn, &ly.OnDate); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		for _, m := range []breakdown.Map{breakdown.AsWas, breakdown.Today} {
			on := p.OnDate
			if m == breakdown.Today {
				on = demoToday
			}
			var want, wantLY map[cell]float64
			if m == breakdown.AsWas {
				want = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgAsWas, p.StartsOn, p.OnDate) })
				if !ly.OnDate.IsZero() {
					wantLY = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgAsWas, ly.StartsOn, ly.OnDate) })
				}
			} else {
				want = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgToday, p.StartsOn, p.OnDate, demoToday) })
				if !ly.OnDate.IsZero() {
					wantLY = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgToday, ly.StartsOn, ly.OnDate, demoToday) })
				}
			}
			top := topUnits(t, pg, on)
			// Eight units below the top two levels with figures this period: cells and committees.
			var units []int64
			seen := map[int64]bool{}
			for c := range want {
				if !top[c.unit] && !seen[c.unit] {
					seen[c.unit] = true
					units = append(units, c.unit)
				}
			}
			sort.Slice(units, func(i, j int) bool { return units[i] < units[j] })
			if len(units) == 0 {
				t.Fatalf("%s %s: no unit below the top two levels has figures", m, label)
			}
			step := max(1, len(units)/8)
			for i := 0; i < len(units); i += step {
				u := units[i]
				for _, dim := range breakdown.Dimensions {
					res, err := breakdown.Get(admin, d.Owner, u, label, dim, m)
					if err != nil {
						t.Fatal(err)
					}
					if !res.Live {
						t.Fatalf("%s %s unit %d: not counted live", m, label, u)
					}
					got, gotLY := map[cell]float64{}, map[cell]float64{}
					for _, r := range res.Rows {
						k := cell{u, r.Measure, dim, r.Category}
						if *r.N != 0 {
							got[k] = *r.N
						}
						if r.NLastYear != nil && *r.NLastYear != 0 {
							gotLY[k] = *r.NLastYear
							lyChecked++
						}
					}
					only := func(all map[cell]float64) map[cell]float64 {
						o := map[cell]float64{}
						for k, v := range all {
							if k.unit == u && k.dimension == dim {
								o[k] = v
							}
						}
						return o
					}
					diff(t, fmt.Sprintf("live %s %s unit %d %s", m, label, u, dim), got, only(want))
					if wantLY != nil {
						diff(t, fmt.Sprintf("live last year %s %s unit %d %s", m, label, u, dim), gotLY, only(wantLY))
					}
					checked++
				}
			}
		}
	}
	// The funnel: a published unit's entries and exits per stage, and its dropouts, are the sums of its
	// children's, which are counted live (a case is always in a cell below it).
	for _, label := range []string{"2025", "2026-Q2"} {
		var on time.Time
		if err := pg.QueryRow(`SELECT on_date FROM reporting.period WHERE label = $1 ORDER BY run_id DESC LIMIT 1`, label).Scan(&on); err != nil {
			t.Fatal(err)
		}
		var parent int64
		if err := pg.QueryRow(`SELECT f.unit_id FROM reporting.funnel f JOIN org_link l ON l.unit_id = f.unit_id
			AND l.valid_from <= $2 AND (l.valid_to IS NULL OR l.valid_to > $2) AND nlevel(l.path) = 2
			WHERE f.period = $1 AND f.run_id = (SELECT max(id) FROM reporting.nightly_run WHERE status = 'succeeded')
			GROUP BY 1 ORDER BY sum(f.entered) DESC LIMIT 1`, label, on).Scan(&parent); err != nil {
			t.Fatal(err)
		}
		whole, err := breakdown.Funnel(admin, d.Owner, parent, label)
		if err != nil || whole.Live {
			t.Fatalf("funnel of %d: live %v, %v", parent, whole.Live, err)
		}
		rows, err := pg.Query(`SELECT unit_id FROM org_link WHERE parent_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`, parent, on)
		if err != nil {
			t.Fatal(err)
		}
		var children []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			children = append(children, id)
		}
		rows.Close()
		sum := map[string]float64{}
		for _, c := range children {
			f, err := breakdown.Funnel(admin, d.Owner, c, label)
			if err != nil || !f.Live {
				t.Fatalf("funnel of child %d: live %v, %v", c, f.Live, err)
			}
			for _, s := range f.Stages {
				sum["entered "+s.Stage] += float64(s.Entered)
				sum["exited "+s.Stage] += float64(s.Exited)
			}
			for _, x := range f.Dropouts {
				sum["dropout "+x.Stage+" "+x.FromStage+" "+x.Reason] += float64(x.N)
			}
		}
		want := map[string]float64{}
		for _, s := range whole.Stages {
			want["entered "+s.Stage] += float64(s.Entered)
			want["exited "+s.Stage] += float64(s.Exited)
		}
		for _, x := range whole.Dropouts {
			want["dropout "+x.Stage+" "+x.FromStage+" "+x.Reason] += float64(x.N)
		}
		for k, v := range want {
			if v == 0 {
				delete(want, k)
			}
		}
		for k, v := range sum {
			if v == 0 {
				delete(sum, k)
			}
		}
		// The published medians and 90th percentiles (read from working-day histograms) equal
		// PostgreSQL's percentile_cont over the exits, worked out here on their own.
		q, err := pg.Query(`WITH RECURSIVE x AS (
			SELECT e.case_id, e.id, e.stage_after AS stage, e.effective,
				lag(e.stage_after) OVER (PARTITION BY e.case_id ORDER BY e.effective, e.id) AS prev
			FROM case_event e JOIN candidate_case c ON c.id = e.case_id
			JOIN LATERAL (SELECT path FROM org_link l WHERE l.unit_id = c.cell_id AND l.valid_from <= $3 ORDER BY l.valid_from DESC LIMIT 1) l
				ON l.path ~ ('*.' || $1::text || '.*')::lquery),
			s AS (SELECT *, lead(effective) OVER (PARTITION BY case_id ORDER BY effective, id) AS left_on FROM x WHERE prev IS NULL OR prev <> stage),
			w AS (SELECT stage, (SELECT count(*) FROM generate_series(s.effective + 1, s.left_on, interval '1 day') g(d)
				LEFT JOIN calendar_day cd ON cd.day = g.d::date
				WHERE coalesce(cd.kind IN ('work_day'), extract(isodow FROM g.d) < 6) AND coalesce(cd.kind NOT IN ('holiday', 'day_off'), true)) AS wd
				FROM s WHERE left_on BETWEEN $2 AND $3)
			SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY wd), percentile_cont(0.9) WITHIN GROUP (ORDER BY wd) FROM w GROUP BY 1`,
			parent, on.AddDate(0, 0, 0).Format("2006")+map[bool]string{true: "-04-01", false: "-01-01"}[label == "2026-Q2"], on)
		if err != nil {
			t.Fatal(err)
		}
		quantiles := 0
		for q.Next() {
			var stage string
			var med, p90 float64
			q.Scan(&stage, &med, &p90)
			for _, st := range whole.Stages {
				if st.Stage == stage {
					quantiles++
					if st.MedianWorkingDays == nil || math.Abs(*st.MedianWorkingDays-med) > 1e-9 || math.Abs(*st.P90WorkingDays-p90) > 1e-9 {
						t.Errorf("funnel %s unit %d stage %s: median %v, p90 %v; PostgreSQL %v, %v", label, parent, stage,
							st.MedianWorkingDays, st.P90WorkingDays, med, p90)
					}
				}
			}
		}
		q.Close()
		if quantiles == 0 {
			t.Errorf("funnel %s unit %d: no stage with exits to compare", label, parent)
		}
		if fmt.Sprint(sum) != fmt.Sprint(want) || len(want) < 4 {
			t.Errorf("funnel %s of unit %d: published %v, its %d children counted live %v", label, parent, want, len(children), sum)
		}
	}
	if checked == 0 || lyChecked == 0 {
		t.Errorf("live: %d breakdowns checked, %d last-year counts", checked, lyChecked)
	}
	t.Logf("live: %d breakdowns of units below the top two levels checked against PostgreSQL (%d last-year counts)", checked, lyChecked)
}
