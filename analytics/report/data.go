// Package report renders the nightly report: per province a self-contained HTML report in Vietnamese
// (inline CSS and SVG, nothing fetched from outside, A4 print CSS) with a drill-down page per child
// unit (commune), the same tables as XLSX, a PDF through headless Chromium where it is installed, and
// an index of runs and provinces. It only renders what the nightly job published: the reporting
// schema's breakdowns and funnel (latest succeeded run), reporting.forecast (latest forecast run),
// reporting.backtest_outcome, and the live due list (case_due) for the overdue cases.
package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/analytics/breakdown"
	"ptdv/analytics/forecast"
	"ptdv/internal/apperr"
)

// Unit is a unit of the report's tree (today's tree on the as-of day).
type Unit struct {
	ID       int64   `bun:"id"`
	Code     string  `bun:"code"`
	Name     string  `bun:"name"`
	Kind     string  `bun:"kind"`
	Sector   string  `bun:"sector"`
	Parent   int64   `bun:"parent_id"`
	Path     string  `bun:"path"`
	Children []*Unit `bun:"-"`
}

// HasPage says whether a child of the report's root gets its own drill-down page: communes and wards
// (territorial grassroots committees) and the levels above the grassroots. The other grassroots units
// (agencies', enterprises', schools' committees and cells; some 1.500 in a province) are rows of the
// province's tables and of the workbook.
func (u *Unit) HasPage() bool {
	return u.Kind == "grassroots_committee" && u.Sector == "territorial" || u.Kind == "district" || u.Kind == "province"
}

// Line is one row of an office table: a criterion this period and the same period last year.
type Line struct {
	Label            string
	N, Total         float64 // this period: count and its base
	NLast, TotalLast float64 // the same period last year
	HasLast          bool
}

// Table is one office table (members at the period's date, or admissions in the period).
type Table struct {
	Title string
	Lines []Line
}

// Stage is one stage of the funnel of the year, as the API reads it.
type Stage = breakdown.Stage

// Point is a point of the burn-up chart: admissions counted by the day.
type Point struct {
	Day time.Time
	N   float64
}

// Overdue counts a unit's subtree's open cases with something overdue on the as-of day, by kind.
type Overdue struct {
	Cases  int
	ByKind map[string]int
}

// Data is everything one province's report shows.
type Data struct {
	AsOf        time.Time
	Generated   time.Time
	NightlyRun  int64     // reporting.nightly_run id; 0: none
	NightlyAsOf time.Time // its as-of day
	ForecastRun string    // reporting.forecast run id; "": none
	Year        string    // the breakdowns' period label (the as-of year)
	Root        *Unit
	Units       map[int64]*Unit
	Forecasts   map[int64][]forecast.Published // by unit, term first, then year, quarter
	Admissions  map[int64]map[string]float64   // by unit and period label (months "2026-03", years "2026")
	Tables      map[int64][]Table
	Funnel      map[int64][]Stage
	Overdue     map[int64]*Overdue
	Backtest    []forecast.Outcome // the communes' scored forecasts (reporting.backtest_outcome)
	BacktestRun string
	shared      *shared
	// Steps accumulates the time spent reading, per kind of read.
	Steps map[string]time.Duration
}

// step records the time since t0 under name and returns now.
func (d *Data) step(name string, t0 time.Time) time.Time {
	now := time.Now()
	if d.Steps != nil {
		d.Steps[name] += now.Sub(t0)
	}
	return now
}

// Options choose what Generate renders.
type Options struct {
	Out  string    // the reports' directory (the run's directory is made under it)
	Unit string    // a province's code: only its report; "": every province
	AsOf time.Time // the newest runs at or before this day; zero: the newest
	// PDF: "auto" prints a PDF of each province where Chromium is installed, "off" never, "on" fails without it.
	PDF string
	// Chromium is the browser binary; "": looked up on PATH (chromium, chromium-browser, google-chrome).
	Chromium string
	Now      func() time.Time
	// Keep is the number of runs' reports kept under Out (the newest by as-of day); 0 means 14.
	Keep int
	// ReadOnly skips refreshing the planner's statistics (ANALYZE) of the published tables.
	ReadOnly bool
}

// runs finds the newest nightly run and forecast run at or before asOf.
func runs(ctx context.Context, db bun.IDB, asOf time.Time) (nightly int64, nightlyAsOf time.Time, fc string, fcAsOf time.Time, err error) {
	day := asOf
	if day.IsZero() {
		day = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	err = db.NewRaw(`SELECT id, as_of FROM reporting.nightly_run WHERE status = 'succeeded' AND as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1`, day).
		Scan(ctx, &nightly, &nightlyAsOf)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, "", time.Time{}, fmt.Errorf("report: nightly run: %w", err)
	}
	err = db.NewRaw(`SELECT run_id, as_of FROM reporting.forecast WHERE as_of <= ? ORDER BY as_of DESC, created_at DESC, run_id DESC LIMIT 1`, day).
		Scan(ctx, &fc, &fcAsOf)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, "", time.Time{}, fmt.Errorf("report: forecast run: %w", err)
	}
	if nightly == 0 && fc == "" {
		return 0, time.Time{}, "", time.Time{}, apperr.New(apperr.NotFound,
			"Chưa có số liệu để lập báo cáo: lượt chạy tổng hợp hằng đêm (ptdv nightly) chưa hoàn thành lần nào.", "no published run")
	}
	return nightly, nightlyAsOf, fc, fcAsOf, nil
}

// provinces lists the provinces of today's tree (at day), or the one with the code.
func provinces(ctx context.Context, db bun.IDB, day time.Time, code string) ([]*Unit, error) {
	var us []*Unit
	q := `SELECT u.id, u.code, u.kind, u.sector, coalesce(l.parent_id, 0) AS parent_id, l.path::text AS path,
			coalesce((SELECT n.name FROM org_unit_name n WHERE n.unit_id = u.id AND n.valid_from <= ?0 ORDER BY n.valid_from DESC LIMIT 1), u.code) AS name
		FROM org_unit u JOIN org_link l ON l.unit_id = u.id AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)
		WHERE `
	var err error
	if code == "" {
		err = db.NewRaw(q+`u.kind = 'province' ORDER BY u.code`, day).Scan(ctx, &us)
	} else {
		err = db.NewRaw(q+`u.code = ?1`, day, strings.ToUpper(code)).Scan(ctx, &us)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: provinces: %w", err)
	}
	if code != "" && len(us) == 0 {
		return nil, apperr.New(apperr.NotFound, fmt.Sprintf("Không có tổ chức đảng mã %s tại ngày %s.", code, day.Format("02/01/2006")),
			"no unit "+code)
	}
	return us, nil
}

// load reads one root unit's report: the root, its children and grandchildren (today's tree at the
// as-of day), and what was published about them.
func load(ctx context.Context, db bun.IDB, root *Unit, d *Data) error {
	day := d.AsOf
	t := time.Now()
	var us []*Unit
	err := db.NewRaw(`SELECT u.id, u.code, u.kind, u.sector, coalesce(l.parent_id, 0) AS parent_id, l.path::text AS path,
			coalesce((SELECT n.name FROM org_unit_name n WHERE n.unit_id = u.id AND n.valid_from <= ?0 ORDER BY n.valid_from DESC LIMIT 1), u.code) AS name
		FROM org_link l JOIN org_unit u ON u.id = l.unit_id
		WHERE l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0) AND l.path <@ ?1::ltree AND nlevel(l.path) <= nlevel(?1::ltree) + 2
		ORDER BY u.code`, day, root.Path).Scan(ctx, &us)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("report: units: %w", err)
	}
	d.Root = root
	d.Units = map[int64]*Unit{root.ID: root}
	root.Children = nil
	for _, u := range us {
		if u.ID != root.ID {
			d.Units[u.ID] = u
		}
	}
	for _, u := range us {
		if p := d.Units[u.Parent]; p != nil && u.ID != root.ID {
			p.Children = append(p.Children, d.Units[u.ID])
		}
	}
	ids := make([]int64, 0, len(d.Units))
	top := []int64{root.ID} // the root and its children: the pages
	for id, u := range d.Units {
		ids = append(ids, id)
		if u.Parent == root.ID && u.HasPage() {
			top = append(top, id)
		}
	}

	t = d.step("units", t)
	// Forecasts of every unit loaded (the children's at-risk lists need the grandchildren's).
	d.Forecasts = map[int64][]forecast.Published{}
	if d.ForecastRun != "" {
		var fs []forecast.Published
		err = db.NewSelect().Model(&fs).Where("run_id = ? AND unit_id IN (?)", d.ForecastRun, bun.In(ids)).
			OrderExpr("unit_id, CASE period_kind WHEN 'term' THEN 0 WHEN 'year' THEN 1 ELSE 2 END, period_start, target_id").Scan(ctx)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: forecasts: %w", err)
		}
		for _, f := range fs {
			d.Forecasts[f.UnitID] = append(d.Forecasts[f.UnitID], f)
		}
	}

	t = d.step("forecasts", t)
	d.Admissions = map[int64]map[string]float64{}
	d.Tables = map[int64][]Table{}
	d.Funnel = map[int64][]Stage{}
	if d.NightlyRun != 0 {
		// Admissions per month and year (today's map: a merged unit's figures include its predecessors').
		var adm []struct {
			UnitID int64   `bun:"unit_id"`
			Period string  `bun:"period"`
			N      float64 `bun:"n"`
		}
		err = db.NewRaw(`SELECT unit_id, period, n FROM reporting.breakdown
			WHERE run_id = ? AND map = 'today' AND measure = 'admissions' AND dimension = 'total' AND period_kind IN ('month', 'year')
			AND unit_id IN (?)`, d.NightlyRun, bun.In(top)).Scan(ctx, &adm)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: admissions: %w", err)
		}
		for _, a := range adm {
			if d.Admissions[a.UnitID] == nil {
				d.Admissions[a.UnitID] = map[string]float64{}
			}
			d.Admissions[a.UnitID][a.Period] += a.N
		}

		t = d.step("admissions", t)
		var rows []struct {
			UnitID        int64    `bun:"unit_id"`
			Measure       string   `bun:"measure"`
			Dimension     string   `bun:"dimension"`
			Category      string   `bun:"category"`
			N             float64  `bun:"n"`
			Total         float64  `bun:"total"`
			NLastYear     *float64 `bun:"n_last_year"`
			TotalLastYear *float64 `bun:"total_last_year"`
		}
		var cats []string
		for _, c := range criteria {
			cats = append(cats, c.dimension+"/"+c.category)
		}
		err = db.NewRaw(`SELECT unit_id, measure, dimension, category, n, total, n_last_year, total_last_year FROM reporting.breakdown
			WHERE run_id = ? AND map = 'today' AND period_kind = 'year' AND period = ? AND unit_id IN (?)
			AND dimension || '/' || category = ANY(?)`, d.NightlyRun, d.Year, bun.In(top), pgdialect.Array(cats)).Scan(ctx, &rows)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: breakdown: %w", err)
		}
		type key struct {
			unit            int64
			measure, dimcat string
		}
		got := map[key]int{}
		for i, r := range rows {
			got[key{r.UnitID, r.Measure, r.Dimension + "/" + r.Category}] = i
		}
		for _, id := range top {
			var ts []Table
			for _, m := range measures {
				t := Table{Title: m.title}
				for _, c := range criteria {
					l := Line{Label: c.label}
					if i, ok := got[key{id, m.code, c.dimension + "/" + c.category}]; ok {
						r := rows[i]
						l.N, l.Total = r.N, r.Total
						if r.NLastYear != nil && r.TotalLastYear != nil {
							l.NLast, l.TotalLast, l.HasLast = *r.NLastYear, *r.TotalLastYear, true
						}
					}
					t.Lines = append(t.Lines, l)
				}
				ts = append(ts, t)
			}
			d.Tables[id] = ts
		}
		// Totals of the criteria whose category is absent (no one in it) still have their base.
		for _, r := range rows {
			if r.Dimension != "total" {
				continue
			}
			for ti, m := range measures {
				if m.code != r.Measure {
					continue
				}
				for li := range d.Tables[r.UnitID][ti].Lines {
					l := &d.Tables[r.UnitID][ti].Lines[li]
					l.Total = r.Total
					if r.TotalLastYear != nil {
						l.TotalLast, l.HasLast = *r.TotalLastYear, true
					}
				}
			}
		}

		t = d.step("breakdown", t)
		var fs []struct {
			UnitID int64 `bun:"unit_id"`
			Stage
		}
		err = db.NewRaw(`SELECT unit_id, stage, entered, exited, conversion, median_working_days, p90_working_days FROM reporting.funnel
			WHERE run_id = ? AND period_kind = 'year' AND period = ? AND unit_id IN (?) ORDER BY unit_id, stage_order`,
			d.NightlyRun, d.Year, bun.In(top)).Scan(ctx, &fs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("report: funnel: %w", err)
		}
		for _, f := range fs {
			d.Funnel[f.UnitID] = append(d.Funnel[f.UnitID], f.Stage)
		}
	}

	t = d.step("funnel", t)
	// Overdue and the backtest: read once for every province (shared), counted here up the paths.
	d.Overdue = map[int64]*Overdue{}
	top1 := strings.SplitN(root.Path, ".", 2)[0]
	for _, r := range d.shared.overdue[top1] {
		if r.Path != root.Path && !strings.HasPrefix(r.Path, root.Path+".") {
			continue
		}
		for _, label := range strings.Split(r.Path, ".") {
			id, err := strconv.ParseInt(label, 10, 64)
			if err != nil || d.Units[id] == nil {
				continue
			}
			o := d.Overdue[id]
			if o == nil {
				o = &Overdue{ByKind: map[string]int{}}
				d.Overdue[id] = o
			}
			if r.Kind == "" {
				o.Cases += r.N
			} else {
				o.ByKind[r.Kind] += r.N
			}
		}
	}
	t = d.step("overdue", t)
	// The backtest of the communes of the root as they stood at each origin: under the root, or under
	// a predecessor of it (a province merged into it since).
	d.Backtest = d.Backtest[:0]
	tops := append([]string{top1}, d.shared.predecessors[root.ID]...)
	for _, tp := range tops {
		for _, b := range d.shared.backtest[tp] {
			if tp == top1 && root.Path != top1 && !strings.Contains("."+b.path+".", "."+strconv.FormatInt(root.ID, 10)+".") {
				continue
			}
			d.Backtest = append(d.Backtest, b.Outcome())
			d.BacktestRun = b.RunID
		}
	}
	d.step("backtest", t)
	for _, u := range d.Units {
		sort.Slice(u.Children, func(i, j int) bool { return u.Children[i].Code < u.Children[j].Code })
	}
	return nil
}

// measures are the office tables: members at the period's date and admissions in the period.
var measures = []struct{ code, title string }{
	{"admissions", "Kết nạp đảng viên"},
	{"stock", "Đảng viên (tại ngày cuối kỳ)"},
}

// criteria are the rows of an office table: the structure offices report on.
var criteria = []struct{ label, dimension, category string }{
	{"Tổng số", "total", "total"},
	{"Nữ", "sex", "female"},
	{"Dân tộc thiểu số", "ethnic_minority", "yes"},
	{"Thanh niên (từ 30 tuổi trở xuống)", "youth", "yes"},
	{"Tốt nghiệp trung học phổ thông", "upper_secondary", "yes"},
	{"Cao đẳng, đại học trở lên", "college_plus", "yes"},
	{"Người có đạo (theo tôn giáo)", "religious", "yes"},
}

// shared is what is read once for all provinces: the overdue counts per cell path, the backtest's
// outcomes per province at their origin, the provinces' predecessors.
type shared struct {
	overdue      map[string][]dueRow    // by the path's first label (the province)
	backtest     map[string][]btOutcome // by the province at the origin
	predecessors map[int64][]string     // a unit's predecessors (ids as path labels)
}

type dueRow struct {
	Path string `bun:"path"`
	Kind string `bun:"kind"` // "": the number of cases with anything overdue
	N    int    `bun:"n"`
}

type btOutcome struct {
	forecast.PublishedOutcome
	path string
}

// loadShared reads the overdue counts on day (the live due list: open cases, something due before
// day, by the cell's path that day), the latest backtest and the lineage of the units.
func loadShared(ctx context.Context, db bun.IDB, day time.Time) (*shared, error) {
	sh := &shared{overdue: map[string][]dueRow{}, backtest: map[string][]btOutcome{}, predecessors: map[int64][]string{}}
	var due []dueRow
	err := db.NewRaw(`SELECT l.path::text AS path, coalesce(d.kind, '') AS kind, CASE WHEN d.kind IS NULL THEN count(DISTINCT c.id) ELSE count(*) END AS n
		FROM case_due d JOIN candidate_case c ON c.id = d.case_id
		JOIN org_link l ON l.unit_id = c.cell_id AND l.valid_from <= ?0 AND (l.valid_to IS NULL OR l.valid_to > ?0)
		WHERE c.closed_on IS NULL AND d.due_on < ?0 GROUP BY GROUPING SETS ((l.path, d.kind), (l.path))`, day).Scan(ctx, &due)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: overdue: %w", err)
	}
	for _, r := range due {
		top := strings.SplitN(r.Path, ".", 2)[0]
		sh.overdue[top] = append(sh.overdue[top], r)
	}
	var bs []struct {
		forecast.PublishedOutcome
		Path string `bun:"path"`
	}
	err = db.NewRaw(`SELECT o.*, coalesce(l.path::text, '') AS path FROM reporting.backtest_outcome o
		LEFT JOIN org_link l ON l.unit_id = o.unit_id AND l.valid_from <= o.origin AND (l.valid_to IS NULL OR l.valid_to > o.origin)
		WHERE o.level = 'commune' ORDER BY o.origin, o.unit_id`).Scan(ctx, &bs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: backtest: %w", err)
	}
	for _, b := range bs {
		top := strings.SplitN(b.Path, ".", 2)[0]
		sh.backtest[top] = append(sh.backtest[top], btOutcome{b.PublishedOutcome, b.Path})
	}
	var lin []struct {
		Pred int64 `bun:"predecessor_id"`
		Succ int64 `bun:"successor_id"`
	}
	err = db.NewRaw(`SELECT g.predecessor_id, g.successor_id FROM org_lineage g JOIN org_unit u ON u.id = g.successor_id WHERE u.kind = 'province'`).Scan(ctx, &lin)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report: lineage: %w", err)
	}
	for _, l := range lin {
		sh.predecessors[l.Succ] = append(sh.predecessors[l.Succ], strconv.FormatInt(l.Pred, 10))
	}
	return sh, nil
}
