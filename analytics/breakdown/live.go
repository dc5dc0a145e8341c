package breakdown

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"
)

// The nightly job publishes the top two levels of the tree on a period's date: the province and the
// unit below it (districts before 1 July 2025; communes, wards and the province's own grassroots
// committees since) — a few thousand units nationally. The ≈ 450,000 units below them hold at most a few
// thousand members each, so their breakdowns and funnels are counted here, when asked, from the system
// of record, with the job's definitions (breakdown/*.sql): exact, as fresh as the records, and a few
// milliseconds for a cell. Publishing every cell for every month instead would be billions of rows a
// night. TestLiveBreakdownMatchesPostgres compares these counts with the test's own SQL.

// published reports whether the run holds the unit's figures for a date: the unit is in the top two
// levels of its last link starting on or before the date. A unit with no link then has no figures
// either way; it reads the (empty) published rows.
func published(ctx context.Context, db bun.IDB, unitID int64, on time.Time) (bool, error) {
	var levels int
	err := db.NewRaw(`SELECT nlevel(path) FROM org_link WHERE unit_id = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1`,
		unitID, on).Scan(ctx, &levels)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("breakdown: unit level: %w", err)
	}
	return levels <= 2, nil
}

// lastYear finds the period of the run a year before p (a term: the term that ends last in the month
// before it starts), as the job's 01_period.sql does; ok is false when the run has none.
func lastYear(ctx context.Context, db bun.IDB, run Run, p Period) (Period, bool, error) {
	ly := Period{Kind: p.Kind}
	err := db.NewRaw(`SELECT label, starts_on, ends_on, on_date FROM reporting.period WHERE run_id = ? AND kind = ?
		AND ((kind <> 'term' AND starts_on = ?::date - interval '1 year')
			OR (kind = 'term' AND ends_on < ? AND ends_on >= ?::date - interval '1 month'))
		ORDER BY ends_on DESC, starts_on DESC LIMIT 1`, run.ID, p.Kind, p.StartsOn, p.StartsOn, p.StartsOn).
		Scan(ctx, &ly.Label, &ly.StartsOn, &ly.EndsOn, &ly.OnDate)
	if errors.Is(err, sql.ErrNoRows) {
		return Period{}, false, nil
	}
	if err != nil {
		return Period{}, false, fmt.Errorf("breakdown: last year's period: %w", err)
	}
	return ly, true, nil
}

// subtreeSQL is the units counted in the unit ?unit for a period's date, with their weights, for each
// row of per(k, starts, on_date). As it was: the units whose last link starting on or before the date
// has the unit in its path (the job counts a person in the path of that link). Today (?today, the run's
// as-of date): the units below the unit on that date, and the predecessors (org_lineage) of those that
// no longer exist, followed back while they do not exist, each with its share of the successors (1/k).
const subtreeSQL = `
	lq AS (SELECT ('*.' || ?unit::text || '.*')::lquery AS q),
	was AS (
		SELECT per.k, l.unit_id, 1.0::float8 AS w
		FROM per CROSS JOIN LATERAL (
			SELECT DISTINCT ON (l.unit_id) l.unit_id, l.path FROM org_link l
			WHERE l.unit_id IN (SELECT c.unit_id FROM org_link c, lq WHERE c.path ~ lq.q) AND l.valid_from <= per.on_date
			ORDER BY l.unit_id, l.valid_from DESC) l, lq
		WHERE ?map = 'as_was' AND l.path ~ lq.q),
	back(unit_id, w, steps) AS (
		SELECT l.unit_id, 1.0::float8, 0 FROM org_link l, lq
		WHERE ?map = 'today' AND l.path ~ lq.q AND l.valid_from <= ?today AND (l.valid_to IS NULL OR l.valid_to > ?today)
		UNION ALL
		SELECT g.predecessor_id, back.w / (SELECT count(*) FROM org_lineage g2 WHERE g2.predecessor_id = g.predecessor_id), back.steps + 1
		FROM back JOIN org_lineage g ON g.successor_id = back.unit_id
		WHERE back.steps < 20 AND NOT EXISTS (SELECT 1 FROM org_link a WHERE a.unit_id = g.predecessor_id
			AND a.valid_from <= ?today AND (a.valid_to IS NULL OR a.valid_to > ?today))),
	sub AS (
		SELECT k, unit_id, w FROM was
		UNION ALL
		SELECT per.k, back.unit_id, sum(back.w) FROM per, back GROUP BY 1, 2)`

// categorySQL is each dimension's category of a counted person, as 01b_member.sql and 02_fact.sql
// work it out (f: the fact with grade and age_y; p: the person; ce, cr, cq: the code items of the
// ethnicity, religion and professional qualification).
var categorySQL = map[string]string{
	"total":                      `'total'`,
	"grade":                      `coalesce(f.grade, 'unknown')`,
	"sex":                        `coalesce(p.sex, 'unknown')`,
	"ethnic_minority":            `CASE (ce.attrs->>'minority')::boolean WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END`,
	"ethnicity":                  `coalesce(p.ethnicity, 'unknown')`,
	"youth":                      `CASE WHEN f.age_y <= 30 THEN 'yes' ELSE 'no' END`,
	"age_band":                   `CASE WHEN f.age_y <= 30 THEN '30_or_under' WHEN f.age_y <= 40 THEN '31_40' WHEN f.age_y <= 50 THEN '41_50' WHEN f.age_y <= 60 THEN '51_60' WHEN f.age_y <= 70 THEN '61_70' ELSE 'over_70' END`,
	"general_education":          `coalesce(p.general_education, 'unknown')`,
	"upper_secondary":            `CASE WHEN p.general_education IS NULL THEN 'unknown' WHEN p.general_education = 'upper_secondary' THEN 'yes' ELSE 'no' END`,
	"professional_qualification": `coalesce(p.professional_qualification, 'unknown')`,
	"college_plus":               `CASE WHEN cq.attrs->>'level' IS NULL THEN 'unknown' WHEN (cq.attrs->>'level')::int >= 3 THEN 'yes' ELSE 'no' END`,
	"political_theory":           `coalesce(p.political_theory, 'unknown')`,
	"religious":                  `CASE WHEN cr.attrs->>'religious' IS NULL THEN 'unknown' WHEN (cr.attrs->>'religious')::boolean THEN 'yes' ELSE 'no' END`,
	"religion":                   `coalesce(p.religion, 'unknown')`,
	"occupation":                 `coalesce(p.occupation, 'unknown')`,
}

// liveBreakdownSQL counts one dimension (and the total) of a unit's subtree for the period ('cur') and
// the same period a year before ('ly'): members on the date, admissions in the period.
const liveBreakdownSQL = `
WITH RECURSIVE per(k, starts, on_date) AS (VALUES ('cur', ?cs::date, ?co::date), ('ly', ?ls::date, ?lo::date)),` + subtreeSQL + `,
	f AS (
		SELECT sub.k, 'stock' AS measure, s.grade, s.person_id, sub.w, per.on_date
		FROM sub JOIN per USING (k) JOIN member_status_span s ON s.unit_id = sub.unit_id
			AND s.valid_from <= per.on_date AND (s.valid_to IS NULL OR s.valid_to > per.on_date)
			AND s.status IN (SELECT code FROM code_item WHERE list = 'member_status' AND (attrs->>'member')::boolean)
		UNION ALL
		SELECT sub.k, 'admissions', 'probationary', e.person_id, sub.w, per.on_date
		FROM sub JOIN per USING (k) JOIN member_event e ON e.unit_id = sub.unit_id
			AND e.kind IN ('admitted', 'readmitted') AND coalesce(e.decision_date, e.effective) BETWEEN per.starts AND per.on_date),
	fa AS (
		SELECT f.*, ((extract(year FROM f.on_date) * 12 + extract(month FROM f.on_date))
			- (extract(year FROM p.birth_date) * 12 + extract(month FROM p.birth_date)))::int / 12 AS age_y
		FROM f JOIN person p ON p.id = f.person_id)
SELECT f.k, f.measure, %s AS category, sum(f.w) AS n
FROM fa f JOIN person p ON p.id = f.person_id
LEFT JOIN code_item ce ON ce.list = 'ethnicity' AND ce.code = p.ethnicity
LEFT JOIN code_item cr ON cr.list = 'religion' AND cr.code = p.religion
LEFT JOIN code_item cq ON cq.list = 'professional_qualification' AND cq.code = p.professional_qualification
GROUP BY 1, 2, 3`

// live counts a unit's breakdown by one dimension for a period on a map (see liveBreakdownSQL), in the
// shape and order of the published rows.
func live(ctx context.Context, db bun.IDB, run Run, unitID int64, p Period, dimension string, m Map) ([]Row, error) {
	ly, hasLY, err := lastYear(ctx, db, run, p)
	if err != nil {
		return nil, err
	}
	lyStarts, lyOn := any(nil), any(nil)
	if hasLY {
		lyStarts, lyOn = ly.StartsOn, ly.OnDate
	}
	q := fmt.Sprintf(liveBreakdownSQL, categorySQL[dimension])
	q, args := bindNamed(q, map[string]any{"cs": p.StartsOn, "co": p.OnDate, "ls": lyStarts, "lo": lyOn,
		"unit": unitID, "map": string(m), "today": run.AsOf})
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("breakdown: live count: %w", err)
	}
	defer rows.Close()
	type key struct{ measure, category string }
	cur, prev := map[key]float64{}, map[key]float64{}
	total, totalLY := map[string]float64{}, map[string]float64{}
	for rows.Next() {
		var k, measure, category string
		var n float64
		if err := rows.Scan(&k, &measure, &category, &n); err != nil {
			return nil, fmt.Errorf("breakdown: live count: %w", err)
		}
		if k == "cur" {
			cur[key{measure, category}] += n
			total[measure] += n
		} else {
			prev[key{measure, category}] += n
			totalLY[measure] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("breakdown: live count: %w", err)
	}
	keys := map[key]bool{}
	for k := range cur {
		keys[k] = true
	}
	if hasLY {
		for k := range prev {
			keys[k] = true
		}
	}
	out := make([]Row, 0, len(keys))
	for k := range keys {
		n, t := cur[k], total[k.measure]
		r := Row{Measure: k.measure, Category: k.category, N: ptr(n), Total: t}
		if t > 0 {
			r.Share = ptr(n / t)
		}
		if hasLY {
			nl, tl := prev[k], totalLY[k.measure]
			r.NLastYear, r.TotalLastYear, r.Change = ptr(nl), ptr(tl), ptr(n-nl)
			if tl > 0 {
				r.ShareLastYear = ptr(nl / tl)
			}
		}
		out = append(out, r)
	}
	// The published rows' order: measure descending (stock before admissions), count descending, category.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Measure != b.Measure {
			return a.Measure > b.Measure
		}
		if *a.N != *b.N {
			return *a.N > *b.N
		}
		return a.Category < b.Category
	})
	return out, nil
}

func ptr(f float64) *float64 { return &f }

// bindNamed replaces ?name placeholders with bun's positional "?" and lists their values in order, so
// that one value can appear several times in the SQL.
func bindNamed(q string, args map[string]any) (string, []any) {
	var out []byte
	var vals []any
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			out = append(out, q[i])
			continue
		}
		j := i + 1
		for j < len(q) && (q[j] >= 'a' && q[j] <= 'z') {
			j++
		}
		name := q[i+1 : j]
		v, ok := args[name]
		if !ok {
			panic("breakdown: no value for ?" + name)
		}
		vals = append(vals, v)
		out = append(out, '?')
		i = j - 1
	}
	return string(out), vals
}

// stageOrder is the funnel's order of stages (06_funnel.sql); conversion is into the next one.
var stageOrder = map[string]int{"source": 1, "course_done": 2, "dossier": 3, "cell_resolution": 4,
	"committee_resolution": 5, "decision": 6, "probation": 7, "full_member": 8, "left": 90, "removed": 91}

// liveFunnelSQL lists a unit's subtree's stage entries in the period (entered) and exits from a stage in
// the period with the working days spent in it, as 01c_stage_entry.sql and 02_fact.sql define them: a
// stage is entered by an event whose stage differs from the case's stage before it and left at the next
// entry; working days count the calendar's working days after the entry up to the exit (none before the
// job's calendar starts, 01/01/2000).
const liveFunnelSQL = `
WITH RECURSIVE per(k, starts, on_date) AS (VALUES ('cur', ?cs::date, ?co::date)),` + subtreeSQL + `,
	e AS (
		SELECT e.id, e.case_id, e.stage_after AS stage, e.effective, e.reason,
			lag(e.stage_after) OVER (PARTITION BY e.case_id ORDER BY e.effective, e.id) AS prev
		FROM sub JOIN candidate_case c ON c.cell_id = sub.unit_id JOIN case_event e ON e.case_id = c.id),
	s AS (SELECT * FROM e WHERE prev IS NULL OR prev <> stage),
	x AS (SELECT s.*, lead(s.effective) OVER (PARTITION BY s.case_id ORDER BY s.effective, s.id) AS left_on FROM s),
	y AS (
		SELECT stage, prev, reason, true AS entered, NULL::int AS wd FROM x WHERE effective BETWEEN ?cs AND ?co
		UNION ALL
		SELECT stage, prev, NULL, false, CASE WHEN effective >= DATE '2000-01-01' THEN (
			SELECT count(*) FROM generate_series(x.effective + 1, x.left_on, interval '1 day') g(d)
			LEFT JOIN calendar_day cd ON cd.day = g.d::date
			WHERE CASE WHEN cd.kind IN ('holiday', 'day_off') THEN false WHEN cd.kind = 'work_day' THEN true
				ELSE extract(isodow FROM g.d) < 6 END)::int END
		FROM x WHERE left_on BETWEEN ?cs AND ?co)
SELECT stage, coalesce(prev, 'unknown') AS from_stage, coalesce(reason, 'unknown') AS reason, entered,
	count(*) AS n, array_agg(wd) FILTER (WHERE wd IS NOT NULL) AS wds
FROM y GROUP BY 1, 2, 3, 4`

// liveFunnel counts a unit's funnel for a period (its subtree as it was on the period's date) in the
// shape of the published rows.
func liveFunnel(ctx context.Context, db bun.IDB, run Run, unitID int64, p Period) ([]Stage, []Dropout, error) {
	q, args := bindNamed(liveFunnelSQL, map[string]any{"cs": p.StartsOn, "co": p.OnDate, "unit": unitID,
		"map": string(AsWas), "today": run.AsOf})
	var rows []struct {
		Stage     string  `bun:"stage"`
		FromStage string  `bun:"from_stage"`
		Reason    string  `bun:"reason"`
		Entered   bool    `bun:"entered"`
		N         int64   `bun:"n"`
		WDs       []int64 `bun:"wds,array"`
	}
	if err := db.NewRaw(q, args...).Scan(ctx, &rows); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("breakdown: live funnel: %w", err)
	}
	byStage := map[string]*Stage{}
	wds := map[string][]int64{}
	var dropouts []Dropout
	for _, r := range rows {
		if _, ok := stageOrder[r.Stage]; !ok {
			continue
		}
		s := byStage[r.Stage]
		if s == nil {
			s = &Stage{Stage: r.Stage}
			byStage[r.Stage] = s
		}
		if r.Entered {
			s.Entered += r.N
			if r.Stage == "left" || r.Stage == "removed" {
				dropouts = append(dropouts, Dropout{Stage: r.Stage, FromStage: r.FromStage, Reason: r.Reason, N: r.N})
			}
		} else {
			s.Exited += r.N
			wds[r.Stage] = append(wds[r.Stage], r.WDs...)
		}
	}
	enteredAt := map[int]int64{} // entries by stage order, for the conversion into the next stage
	for name, s := range byStage {
		enteredAt[stageOrder[name]] = s.Entered
	}
	stages := make([]Stage, 0, len(byStage))
	for name, s := range byStage {
		if o := stageOrder[name]; o < 8 && s.Entered > 0 {
			s.Conversion = ptr(float64(enteredAt[o+1]) / float64(s.Entered))
		}
		if v := wds[name]; len(v) > 0 {
			sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
			s.MedianWorkingDays, s.P90WorkingDays = ptr(quantile(v, 0.5)), ptr(quantile(v, 0.9))
		}
		stages = append(stages, *s)
	}
	sort.Slice(stages, func(i, j int) bool { return stageOrder[stages[i].Stage] < stageOrder[stages[j].Stage] })
	// The published order: count descending, then stage, from stage, reason.
	sort.Slice(dropouts, func(i, j int) bool {
		a, b := dropouts[i], dropouts[j]
		if a.N != b.N {
			return a.N > b.N
		}
		if a.Stage != b.Stage {
			return a.Stage < b.Stage
		}
		if a.FromStage != b.FromStage {
			return a.FromStage < b.FromStage
		}
		return a.Reason < b.Reason
	})
	return stages, dropouts, nil
}

// quantile is quantile_cont (and PostgreSQL's percentile_cont) of sorted values: the value at position
// (n − 1) · q, interpolated between its neighbours.
func quantile(sorted []int64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := int(h)
	hi := lo
	if float64(lo) < h {
		hi = lo + 1
	}
	return float64(sorted[lo]) + (h-float64(lo))*float64(sorted[hi]-sorted[lo])
}
