// Package breakdown is the home of the membership breakdowns: the SQL the nightly job runs in
// DuckDB (*.sql, embedded as SQL) and the read side over what the job published into
// PostgreSQL's reporting schema (migrations 0016, 0017): breakdowns by dimension, the candidate
// funnel per period, and the runs themselves. The read side serves the API, so the package must
// not import DuckDB (nor package analytics): every read is plain SQL over the latest succeeded
// run, scoped through internal/auth like every other read.
package breakdown

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// Map says which tree a figure is counted on.
type Map string

const (
	// AsWas counts a unit's subtree as the tree stood on the period's date.
	AsWas Map = "as_was"
	// Today sums predecessors' figures into their successors (org_lineage) on today's tree.
	Today Map = "today"
)

// Dimensions are the breakdown dimensions, as the job computes them.
var Dimensions = []string{"total", "grade", "sex", "ethnic_minority", "ethnicity", "youth", "age_band",
	"general_education", "upper_secondary", "professional_qualification", "college_plus", "political_theory",
	"religious", "religion", "occupation"}

// sensitive are the dimensions whose small counts at cell level could name a person.
var sensitive = []string{"ethnic_minority", "ethnicity", "religious", "religion"}

// SuppressBelow is the smallest count of a sensitive dimension shown at cell level to roles that
// may not see individuals' ethnicity or religion (analyst, viewer).
const SuppressBelow = 5

// SuppressedReason is the reason given in place of a suppressed count.
const SuppressedReason = "Số liệu nhỏ hơn 5 về dân tộc, tôn giáo ở cấp chi bộ được ẩn để không lộ danh tính."

// Run is one nightly run.
type Run struct {
	ID             int64              `bun:"id"`
	StartedAt      time.Time          `bun:"started_at"`
	FinishedAt     *time.Time         `bun:"finished_at"`
	Status         string             `bun:"status"`
	AsOf           time.Time          `bun:"as_of"`
	SnapshotFile   string             `bun:"snapshot_file"`
	RowsPerTable   map[string]int64   `bun:"rows_per_table,type:jsonb"`
	SecondsPerStep map[string]float64 `bun:"seconds_per_step,type:jsonb"`
	Error          *string            `bun:"error"`
}

// Period is one period of a run.
type Period struct {
	Kind, Label              string
	StartsOn, EndsOn, OnDate time.Time
}

// Row is one category's figures.
type Row struct {
	Measure       string   `bun:"measure"`
	Category      string   `bun:"category"`
	N             *float64 `bun:"n"` // nil when suppressed
	Total         float64  `bun:"total"`
	Share         *float64 `bun:"share"`
	NLastYear     *float64 `bun:"n_last_year"`
	TotalLastYear *float64 `bun:"total_last_year"`
	ShareLastYear *float64 `bun:"share_last_year"`
	Change        *float64 `bun:"change"`
	// Suppressed, when set, says why N (and the figures derived from it) are withheld.
	Suppressed string `bun:"-"`
}

// Result is a breakdown of one unit, period, dimension and map, with the run it comes from.
type Result struct {
	UnitID    int64
	Period    Period
	Dimension string
	Map       Map
	Run       Run
	Rows      []Row
	// Live is true when the rows were counted from the records when asked (a unit below the top two
	// levels of the tree, see live.go), not read from the run.
	Live bool
}

var periodRE = regexp.MustCompile(`^(\d{4})$|^(\d{4})-Q[1-4]$|^(\d{4})-(0[1-9]|1[0-2])$|^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$`)

// PeriodKind returns the kind of a period label, or INVALID_INPUT.
func PeriodKind(label string) (string, error) {
	m := periodRE.FindStringSubmatch(label)
	switch {
	case m == nil:
		return "", apperr.Invalid("period", fmt.Sprintf("Kỳ %q không hợp lệ: dùng năm (2025), quý (2025-Q3), tháng (2025-07) hoặc nhiệm kỳ (2020-10-15/2025-10-14).", label),
			fmt.Sprintf("unknown period %q", label))
	case m[1] != "":
		return "year", nil
	case m[2] != "":
		return "quarter", nil
	case m[3] != "":
		return "month", nil
	}
	return "term", nil
}

// errNoRun is the answer before any nightly run has succeeded.
func errNoRun() error {
	return apperr.New(apperr.NotFound, "Chưa có số liệu phân tích: lượt chạy tổng hợp hằng đêm (nightly) đầu tiên chưa hoàn thành.",
		"no nightly run has succeeded yet")
}

// Latest returns the latest succeeded run, or NOT_FOUND (in Vietnamese) before any.
func Latest(ctx context.Context, db bun.IDB) (Run, error) {
	var r Run
	err := db.NewRaw(`SELECT id, started_at, finished_at, status, as_of, snapshot_file, rows_per_table, seconds_per_step, error
		FROM reporting.nightly_run WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1`).Scan(ctx, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNoRun()
	}
	if err != nil {
		return r, fmt.Errorf("breakdown: latest run: %w", err)
	}
	return r, nil
}

// Runs returns the last n runs, newest first, whatever their status. Any authenticated actor may
// read them (they say when the data was refreshed, nothing about any unit).
func Runs(ctx context.Context, db bun.IDB, n int) ([]Run, error) {
	if _, err := auth.FromContext(ctx); err != nil {
		return nil, err
	}
	if n <= 0 || n > 100 {
		return nil, apperr.Invalid("last", "Số lượt chạy phải từ 1 đến 100.", "last must be 1..100")
	}
	var rs []Run
	err := db.NewRaw(`SELECT id, started_at, finished_at, status, as_of, snapshot_file, rows_per_table, seconds_per_step, error
		FROM reporting.nightly_run ORDER BY id DESC LIMIT ?`, n).Scan(ctx, &rs)
	if err != nil {
		return nil, fmt.Errorf("breakdown: runs: %w", err)
	}
	return rs, nil
}

// prepare checks the caller, the unit's scope and the period, and finds the latest run.
func prepare(ctx context.Context, db bun.IDB, unitID int64, label string) (*auth.Actor, Run, Period, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, Run{}, Period{}, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return nil, Run{}, Period{}, err
	}
	kind, err := PeriodKind(label)
	if err != nil {
		return nil, Run{}, Period{}, err
	}
	run, err := Latest(ctx, db)
	if err != nil {
		return nil, Run{}, Period{}, err
	}
	p := Period{Kind: kind, Label: label}
	err = db.NewRaw(`SELECT starts_on, ends_on, on_date FROM reporting.period WHERE run_id = ? AND kind = ? AND label = ?`,
		run.ID, kind, label).Scan(ctx, &p.StartsOn, &p.EndsOn, &p.OnDate)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Run{}, Period{}, apperr.Invalid("period",
			fmt.Sprintf("Kỳ %s không có trong số liệu ngày %s (các năm có dữ liệu; quý và tháng của ba năm gần nhất; nhiệm kỳ cấp tỉnh).", label, run.AsOf.Format("02/01/2006")),
			fmt.Sprintf("period %s is not covered by run %d", label, run.ID))
	}
	if err != nil {
		return nil, Run{}, Period{}, fmt.Errorf("breakdown: period: %w", err)
	}
	return a, run, p, nil
}

// Get returns a unit's breakdown by one dimension for a period on a map, from the latest run.
// Errors: NOT_FOUND for a unit outside the caller's scope (or missing) and before any run;
// INVALID_INPUT for an unknown dimension, map or period.
func Get(ctx context.Context, db bun.IDB, unitID int64, period, dimension string, m Map) (Result, error) {
	if !slices.Contains(Dimensions, dimension) {
		return Result{}, apperr.Invalid("dimension", fmt.Sprintf("Chiều phân tích %q không tồn tại.", dimension),
			fmt.Sprintf("unknown dimension %q", dimension))
	}
	if m != AsWas && m != Today {
		return Result{}, apperr.Invalid("map", "Bản đồ phải là AS_WAS hoặc TODAY.", fmt.Sprintf("unknown map %q", m))
	}
	a, run, p, err := prepare(ctx, db, unitID, period)
	if err != nil {
		return Result{}, err
	}
	res := Result{UnitID: unitID, Period: p, Dimension: dimension, Map: m, Run: run}
	on := p.OnDate
	if m == Today {
		on = run.AsOf
	}
	pub, err := published(ctx, db, unitID, on)
	if err != nil {
		return Result{}, err
	}
	if pub {
		err = db.NewRaw(`SELECT measure, category, n, total, share, n_last_year, total_last_year, share_last_year, change
			FROM reporting.breakdown
			WHERE run_id = ? AND unit_id = ? AND period_kind = ? AND period = ? AND dimension = ? AND map = ?
			ORDER BY measure DESC, n DESC, category`, run.ID, unitID, p.Kind, p.Label, dimension, string(m)).Scan(ctx, &res.Rows)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Result{}, fmt.Errorf("breakdown: read: %w", err)
		}
	} else {
		res.Live = true
		if res.Rows, err = live(ctx, db, run, unitID, p, dimension, m); err != nil {
			return Result{}, err
		}
	}
	if slices.Contains(sensitive, dimension) && !a.Can(auth.PermSmallUnitDetail) {
		var kind string
		if err := db.NewRaw(`SELECT kind FROM org_unit WHERE id = ?`, unitID).Scan(ctx, &kind); err != nil {
			return Result{}, fmt.Errorf("breakdown: unit kind: %w", err)
		}
		if kind == "cell" || kind == "grassroots_cell" {
			for i := range res.Rows {
				suppress(&res.Rows[i])
			}
		}
	}
	return res, nil
}

// suppress withholds the counts of a row below SuppressBelow (this year's and last year's), with
// what could be computed back from them.
func suppress(r *Row) {
	small := func(x *float64) bool { return x != nil && *x > 0 && *x < SuppressBelow }
	if small(r.N) || small(r.NLastYear) {
		r.N, r.Share, r.NLastYear, r.ShareLastYear, r.Change = nil, nil, nil, nil, nil
		r.Suppressed = SuppressedReason
	}
}

// Stage is one stage of the funnel.
type Stage struct {
	Stage             string   `bun:"stage"`
	Entered           int64    `bun:"entered"`
	Exited            int64    `bun:"exited"`
	Conversion        *float64 `bun:"conversion"`
	MedianWorkingDays *float64 `bun:"median_working_days"`
	P90WorkingDays    *float64 `bun:"p90_working_days"`
}

// Dropout counts the cases that left the pipeline from a stage for a reason.
type Dropout struct {
	Stage     string `bun:"stage"`
	FromStage string `bun:"from_stage"`
	Reason    string `bun:"reason"`
	N         int64  `bun:"n"`
}

// FunnelResult is a unit's funnel for a period (its subtree as it stood on the period's date).
type FunnelResult struct {
	UnitID   int64
	Period   Period
	Run      Run
	Stages   []Stage
	Dropouts []Dropout
	// Live: counted from the records when asked (see live.go).
	Live bool
}

// Funnel returns a unit's funnel for a period from the latest run.
func Funnel(ctx context.Context, db bun.IDB, unitID int64, period string) (FunnelResult, error) {
	_, run, p, err := prepare(ctx, db, unitID, period)
	if err != nil {
		return FunnelResult{}, err
	}
	res := FunnelResult{UnitID: unitID, Period: p, Run: run}
	pub, err := published(ctx, db, unitID, p.OnDate)
	if err != nil {
		return FunnelResult{}, err
	}
	if !pub {
		res.Live = true
		res.Stages, res.Dropouts, err = liveFunnel(ctx, db, run, unitID, p)
		return res, err
	}
	err = db.NewRaw(`SELECT stage, entered, exited, conversion, median_working_days, p90_working_days FROM reporting.funnel
		WHERE run_id = ? AND unit_id = ? AND period_kind = ? AND period = ? ORDER BY stage_order`,
		run.ID, unitID, p.Kind, p.Label).Scan(ctx, &res.Stages)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return FunnelResult{}, fmt.Errorf("breakdown: funnel: %w", err)
	}
	err = db.NewRaw(`SELECT stage, from_stage, reason, n FROM reporting.funnel_dropout
		WHERE run_id = ? AND unit_id = ? AND period_kind = ? AND period = ? ORDER BY n DESC, stage, from_stage, reason`,
		run.ID, unitID, p.Kind, p.Label).Scan(ctx, &res.Dropouts)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return FunnelResult{}, fmt.Errorf("breakdown: dropouts: %w", err)
	}
	return res, nil
}
