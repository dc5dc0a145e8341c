package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"

	"ptdv/internal/pgtest"
	"ptdv/internal/seed"
)

// demoToday is the day the demo data is generated for and the as-of date of its snapshot.
var demoToday = time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)

// loadDemo seeds the demo scale (two provinces merged on 01/07/2025, ≈ 2,750 members) and
// snapshots it as of demoToday into dir.
func loadDemo(t *testing.T, dir string) (*pgtest.DB, Result) {
	t.Helper()
	ctx := context.Background()
	d := pgtest.New(t)
	began := time.Now()
	if _, err := seed.Run(ctx, d.URL, seed.Options{Scale: "small", Seed: 1, Today: demoToday}); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded the demo in %v", time.Since(began).Round(time.Millisecond))
	r, err := Snapshot(ctx, d.URL, dir, testOptions(t, demoToday))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot in %v: %v", r.Duration.Round(time.Millisecond), r.Tables)
	return d, r
}

// openDemo is loadDemo into a temporary folder with its snapshot opened; the snapshot closes with the test.
func openDemo(t *testing.T) (*pgtest.DB, *sql.DB) {
	t.Helper()
	d, r := loadDemo(t, t.TempDir())
	duck, err := Open(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { duck.Close() })
	return d, duck
}

// scanRows reads every row of a query's result with scan; an error fails the test.
func scanRows[T any](t *testing.T, rows *sql.Rows, err error, scan func(rows *sql.Rows, v *T) error) []T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

type cell struct {
	unit                         int64
	measure, dimension, category string
}

// pgFacts is the independent definition of the counted persons, in PostgreSQL: $1 the period's
// first day, $2 its date (the end, or the as-of date), with every dimension's category.
const pgFacts = `
WITH f AS (
	SELECT s.unit_id, 'stock' AS measure, s.grade, p.sex, p.birth_date, p.ethnicity, p.religion, p.general_education, p.professional_qualification, p.political_theory, p.occupation
	FROM member_status_span s JOIN person p ON p.id = s.person_id
	WHERE s.valid_from <= $2::date AND (s.valid_to IS NULL OR s.valid_to > $2::date)
		AND s.status IN ('probationary', 'full', 'exempted', 'temporary_out')
	UNION ALL
	SELECT e.unit_id, 'admissions', 'probationary', p.sex, p.birth_date, p.ethnicity, p.religion, p.general_education, p.professional_qualification, p.political_theory, p.occupation
	FROM member_event e JOIN person p ON p.id = e.person_id
	WHERE e.kind IN ('admitted', 'readmitted') AND coalesce(e.decision_date, e.effective) BETWEEN $1::date AND $2::date),
g AS (
	SELECT f.*, extract(year FROM age((date_trunc('month', $2::date) + interval '1 month - 1 day')::date,
			make_date(extract(year FROM f.birth_date)::int, extract(month FROM f.birth_date)::int, 1)))::int AS age_y,
		(ce.attrs->>'minority')::boolean AS minority, (cr.attrs->>'religious')::boolean AS religious,
		(cq.attrs->>'level')::int AS pq_level
	FROM f
	LEFT JOIN code_item ce ON ce.list = 'ethnicity' AND ce.code = f.ethnicity
	LEFT JOIN code_item cr ON cr.list = 'religion' AND cr.code = f.religion
	LEFT JOIN code_item cq ON cq.list = 'professional_qualification' AND cq.code = f.professional_qualification)
SELECT g.unit_id, g.measure, x.dim, x.cat
FROM g CROSS JOIN LATERAL (VALUES
	('total', 'total'), ('grade', g.grade), ('sex', g.sex),
	('ethnic_minority', CASE WHEN g.minority THEN 'yes' WHEN NOT g.minority THEN 'no' ELSE 'unknown' END),
	('ethnicity', coalesce(g.ethnicity, 'unknown')),
	('youth', CASE WHEN g.age_y <= 30 THEN 'yes' ELSE 'no' END),
	('age_band', CASE WHEN g.age_y <= 30 THEN '30_or_under' WHEN g.age_y BETWEEN 31 AND 40 THEN '31_40'
		WHEN g.age_y BETWEEN 41 AND 50 THEN '41_50' WHEN g.age_y BETWEEN 51 AND 60 THEN '51_60'
		WHEN g.age_y BETWEEN 61 AND 70 THEN '61_70' ELSE 'over_70' END),
	('general_education', coalesce(g.general_education, 'unknown')),
	('upper_secondary', CASE WHEN g.general_education IS NULL THEN 'unknown' WHEN g.general_education = 'upper_secondary' THEN 'yes' ELSE 'no' END),
	('professional_qualification', coalesce(g.professional_qualification, 'unknown')),
	('college_plus', CASE WHEN g.pq_level >= 3 THEN 'yes' WHEN g.pq_level < 3 THEN 'no' ELSE 'unknown' END),
	('political_theory', coalesce(g.political_theory, 'unknown')),
	('religious', CASE WHEN g.religious THEN 'yes' WHEN NOT g.religious THEN 'no' ELSE 'unknown' END),
	('religion', coalesce(g.religion, 'unknown')),
	('occupation', coalesce(g.occupation, 'unknown'))) x(dim, cat)`

// pgAsWas counts the facts of a period over every unit above the fact's unit on the tree of
// the period's date (the unit's last link starting on or before it).
const pgAsWas = `
WITH d AS (` + pgFacts + `)
SELECT anc::bigint, d.measure, d.dim, d.cat, count(*)::float8
FROM d CROSS JOIN LATERAL (SELECT l.path FROM org_link l WHERE l.unit_id = d.unit_id AND l.valid_from <= $2::date
	ORDER BY l.valid_from DESC LIMIT 1) lp
CROSS JOIN LATERAL unnest(string_to_array(lp.path::text, '.')) anc
GROUP BY 1, 2, 3, 4`

// pgToday counts them on today's map: a unit's figures go to the unit if it exists on $3, else to its
// successors through org_lineage (shared equally), and then to every unit above those on $3.
const pgToday = `
WITH RECURSIVE alive AS (
	SELECT unit_id, path FROM org_link WHERE valid_from <= $3::date AND (valid_to IS NULL OR valid_to > $3::date)),
w(unit_id, cur, wt) AS (
	SELECT id, id, 1.0::float8 FROM org_unit
	UNION ALL
	SELECT w.unit_id, l.successor_id, w.wt / (SELECT count(*) FROM org_lineage l2 WHERE l2.predecessor_id = l.predecessor_id)
	FROM w JOIN org_lineage l ON l.predecessor_id = w.cur
	WHERE NOT EXISTS (SELECT 1 FROM alive WHERE alive.unit_id = w.cur)),
m AS (SELECT w.unit_id, a.path, w.wt FROM w JOIN alive a ON a.unit_id = w.cur),
d AS (` + pgFacts + `)
SELECT anc::bigint, d.measure, d.dim, d.cat, sum(m.wt)
FROM d JOIN m ON m.unit_id = d.unit_id
CROSS JOIN LATERAL unnest(string_to_array(m.path::text, '.')) anc
GROUP BY 1, 2, 3, 4`

// topUnits are the units in the top two levels of the tree on a date (by each unit's last link
// starting on or before it): the units whose figures the snapshot publishes.
func topUnits(t *testing.T, pg *sql.DB, on time.Time) map[int64]bool {
	t.Helper()
	top := map[int64]bool{}
	for id := range topProvinces(t, pg, on) {
		top[id] = true
	}
	return top
}

// topProvinces maps the units of topUnits to their province (the first element of that path).
func topProvinces(t *testing.T, pg *sql.DB, on time.Time) map[int64]int64 {
	t.Helper()
	rows, err := pg.Query(`SELECT unit_id, subpath(path, 0, 1)::text::bigint FROM (SELECT DISTINCT ON (unit_id) unit_id, path FROM org_link
		WHERE valid_from <= $1 ORDER BY unit_id, valid_from DESC) l WHERE nlevel(path) <= 2`, on)
	top := map[int64]int64{}
	for _, r := range scanRows(t, rows, err, func(rows *sql.Rows, r *[2]int64) error { return rows.Scan(&r[0], &r[1]) }) {
		top[r[0]] = r[1]
	}
	return top
}

type periodRow struct {
	id               int
	kind, label      string
	starts, ends, on time.Time
}

func readPeriods(t *testing.T, db *sql.DB) []periodRow {
	t.Helper()
	rows, err := db.Query(`SELECT id, kind, label, starts_on, ends_on, on_date FROM period ORDER BY id`)
	return scanRows(t, rows, err, func(rows *sql.Rows, p *periodRow) error {
		return rows.Scan(&p.id, &p.kind, &p.label, &p.starts, &p.ends, &p.on)
	})
}

func collect(t *testing.T, q func() (*sql.Rows, error)) map[cell]float64 {
	rows, err := q()
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[cell]float64{}
	for rows.Next() {
		var c cell
		var n float64
		if err := rows.Scan(&c.unit, &c.measure, &c.dimension, &c.category, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			m[c] = n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// diff reports the cells where two maps differ, a few of them.
func diff(t *testing.T, what string, got, want map[cell]float64) {
	t.Helper()
	var bad []string
	for c, w := range want {
		if g := got[c]; math.Abs(g-w) > 1e-9 {
			bad = append(bad, fmt.Sprintf("%+v: snapshot %v, PostgreSQL %v", c, g, w))
		}
	}
	for c, g := range got {
		if _, ok := want[c]; !ok {
			bad = append(bad, fmt.Sprintf("%+v: snapshot %v, PostgreSQL none", c, g))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s: %d cells differ, e.g. %v", what, len(bad), bad[:min(5, len(bad))])
	}
}

// TestBreakdownsMatchPostgres compares every breakdown of the demo data, on both maps, for every
// period, with counts computed independently in PostgreSQL (the SQL above, not the job's).
func TestBreakdownsMatchPostgres(t *testing.T) {
	ctx := context.Background()
	d, duck := openDemo(t)
	pg := d.Owner.DB

	periods := readPeriods(t, duck)
	kinds := map[string]int{}
	for _, p := range periods {
		kinds[p.kind]++
	}
	t.Logf("periods: %v", kinds)
	if kinds["year"] < 5 || kinds["month"] != 30 || kinds["quarter"] != 10 || kinds["term"] == 0 {
		t.Errorf("periods by kind = %v; want ≥ 5 years, 30 months (2024-01 … 2026-06), 10 quarters, terms", kinds)
	}
	var compared, mergedChecked int
	// termOfs are the provinces of each term period; funnelProvinces those with a term's funnel rows.
	var termOfs []map[int64]bool
	funnelProvinces := map[int64]bool{}
	termFunnels := 0
	for _, p := range periods {
		// Every year and term; the months and quarters around the merger and the latest ones (all of
		// them take minutes on a shared machine).
		switch p.label {
		case "2025-06", "2025-07", "2025-Q3", "2026-05", "2026-06", "2026-Q2":
		default:
			if p.kind == "month" || p.kind == "quarter" {
				continue
			}
		}
		for _, m := range []string{"as_was", "today"} {
			got := collect(t, func() (*sql.Rows, error) {
				return duck.QueryContext(ctx, `SELECT unit_id, measure, dimension, category, n FROM breakdown
				WHERE map = ? AND period_kind = ? AND period = ?`, m, p.kind, p.label)
			})
			var want map[cell]float64
			if m == "as_was" {
				want = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgAsWas, p.starts, p.on) })
			} else {
				want = collect(t, func() (*sql.Rows, error) { return pg.QueryContext(ctx, pgToday, p.starts, p.on, demoToday) })
			}
			// The snapshot publishes the top two levels of the tree on the map's date (the units
			// below are counted live by package breakdown: TestLiveBreakdownMatchesPostgres).
			on := p.on
			if m == "today" {
				on = demoToday
			}
			top := topProvinces(t, pg, on)
			// A term is published for the units of the provinces whose term it is.
			var termOf map[int64]bool
			if p.kind == "term" {
				termOf = map[int64]bool{}
				rows, err := pg.QueryContext(ctx, `SELECT t.unit_id FROM term t JOIN org_unit u ON u.id = t.unit_id AND u.kind = 'province'
					WHERE t.starts_on = $1 AND t.ends_on = $2`, p.starts, p.ends)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					rows.Scan(&id)
					termOf[id] = true
				}
				rows.Close()
			}
			for c := range want {
				if province, ok := top[c.unit]; !ok || termOf != nil && !termOf[province] {
					delete(want, c)
				}
			}
			// The funnel (as it was) follows the same rule: a term's funnel rows are its provinces' units'.
			if termOf != nil && m == "as_was" {
				rows, err := duck.QueryContext(ctx, `SELECT DISTINCT unit_id FROM funnel WHERE period_kind = 'term' AND period = ?`, p.label)
				for _, u := range scanRows(t, rows, err, func(rows *sql.Rows, u *int64) error { return rows.Scan(u) }) {
					province, ok := top[u]
					if !ok || !termOf[province] {
						t.Errorf("funnel of term %s: unit %d (province %d) is not in a province of that term %v", p.label, u, province, termOf)
					}
					funnelProvinces[province] = true
				}
				termOfs = append(termOfs, termOf)
				// and its entries and exits per stage are the province's, counted here on their own.
				for province := range termOf {
					got := map[string]float64{}
					rows, err := duck.QueryContext(ctx, `SELECT stage, entered, exited FROM funnel
						WHERE unit_id = ? AND period_kind = 'term' AND period = ?`, province, p.label)
					scanRows(t, rows, err, func(rows *sql.Rows, _ *int) error {
						var st string
						var e, x float64
						err := rows.Scan(&st, &e, &x)
						got["entered "+st], got["exited "+st] = e, x
						return err
					})
					want := map[string]float64{}
					rows, err = pg.QueryContext(ctx, pgTermFunnel, province, p.starts, p.on)
					scanRows(t, rows, err, func(rows *sql.Rows, _ *int) error {
						var k string
						var n float64
						err := rows.Scan(&k, &n)
						want[k] = n
						return err
					})
					for k, v := range got {
						if v == 0 {
							delete(got, k)
						}
					}
					if len(want) > 0 {
						termFunnels++
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("funnel of term %s, province %d: got %v, want %v", p.label, province, got, want)
					}
				}
			}
			diff(t, m+" "+p.kind+" "+p.label, got, want)
			compared += len(want)
		}
	}
	// Across the merger: the province that ended on 01/07/2025 has figures as it was in 2024 and none
	// on today's map, where its successor carries them.
	var ended, successor int64
	if err := pg.QueryRowContext(ctx, `SELECT predecessor_id, successor_id FROM org_lineage l JOIN org_unit u ON u.id = l.predecessor_id
		WHERE u.kind = 'province'`).Scan(&ended, &successor); err != nil {
		t.Fatal(err)
	}
	var asWas, today, succAsWas, succToday float64
	err := duck.QueryRowContext(ctx, `SELECT
		coalesce(sum(n) FILTER (WHERE map = 'as_was' AND unit_id = ?), 0), coalesce(sum(n) FILTER (WHERE map = 'today' AND unit_id = ?), 0),
		coalesce(sum(n) FILTER (WHERE map = 'as_was' AND unit_id = ?), 0), coalesce(sum(n) FILTER (WHERE map = 'today' AND unit_id = ?), 0)
		FROM breakdown WHERE period_kind = 'year' AND period = '2024' AND measure = 'stock' AND dimension = 'total'`,
		ended, ended, successor, successor).Scan(&asWas, &today, &succAsWas, &succToday)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2024 stock: ended province %d as it was %v, today %v; successor %d as it was %v, today %v", ended, asWas, today, successor, succAsWas, succToday)
	if asWas == 0 || today != 0 || succToday != asWas+succAsWas {
		t.Errorf("merger: today's map should carry the ended province's 2024 stock into its successor")
	} else {
		mergedChecked++
	}
	t.Logf("compared %d non-zero cells over %d periods", compared, len(periods))
	// Not vacuous: the demo's provinces elect on different days, so some term with funnel rows is not
	// the term of every province that has them (unrestricted, its rows would name the others' units).
	narrower := false
	for _, of := range termOfs {
		for pr := range funnelProvinces {
			narrower = narrower || !of[pr]
		}
	}
	if termFunnels == 0 {
		t.Errorf("no term's funnel had entries to compare")
	}
	if len(funnelProvinces) < 2 || !narrower {
		t.Errorf("funnel terms: provinces with rows %v, terms' provinces %v; want a term that is not every such province's", funnelProvinces, termOfs)
	}
}

// pgTermFunnel counts, on its own, the stage entries and exits of the cases of province $1's cells (their
// last link starting on or before $3) from $2 to $3: an entry is an event whose stage differs from the case's
// stage before it; it is left at the case's next entry.
const pgTermFunnel = `WITH x AS (
	SELECT e.case_id, e.id, e.stage_after AS stage, e.effective, c.cell_id,
		lag(e.stage_after) OVER (PARTITION BY e.case_id ORDER BY e.effective, e.id) AS prev
	FROM case_event e JOIN candidate_case c ON c.id = e.case_id),
s AS (
	SELECT x.*, lead(effective) OVER (PARTITION BY case_id ORDER BY effective, id) AS left_on
	FROM x WHERE prev IS NULL OR prev <> stage),
p AS (
	SELECT s.* FROM s JOIN LATERAL (SELECT path FROM org_link l WHERE l.unit_id = s.cell_id AND l.valid_from <= $3
		ORDER BY l.valid_from DESC LIMIT 1) l ON subpath(l.path, 0, 1)::text = $1::text)
SELECT 'entered ' || stage, count(*) FROM p WHERE effective BETWEEN $2 AND $3 GROUP BY stage
UNION ALL
SELECT 'exited ' || stage, count(*) FROM p WHERE left_on BETWEEN $2 AND $3 GROUP BY stage`
