package forecast

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
)

// PublishedOutcome is a scored backtest forecast as reporting.backtest_outcome holds it (migration 0026).
type PublishedOutcome struct {
	bun.BaseModel `bun:"table:reporting.backtest_outcome"`

	RunID      string    `bun:"run_id"`
	Level      string    `bun:"level"`
	Origin     time.Time `bun:"origin,type:date"`
	UnitID     int64     `bun:"unit_id"`
	MonthsLeft int       `bun:"months_left"`
	Actual     int       `bun:"actual"`
	Expected   float64   `bun:"expected"`
	Lo80       int       `bun:"lo80"`
	Hi80       int       `bun:"hi80"`
	Lo95       int       `bun:"lo95"`
	Hi95       int       `bun:"hi95"`
	RunRate    float64   `bun:"run_rate"`
	Seasonal   float64   `bun:"seasonal"`
	LastYear   float64   `bun:"last_year"`
	Target     int       `bun:"target"`
	RealTarget bool      `bun:"real_target"`
	PMeet      float64   `bun:"p_meet"`
	CreatedAt  time.Time `bun:"created_at,nullzero,default:now()"`
}

// Outcome converts the row back to the backtest's outcome (for Summarize).
func (p PublishedOutcome) Outcome() Outcome {
	return Outcome{Origin: DayOf(p.Origin), Unit: p.UnitID, MonthsLeft: p.MonthsLeft, Actual: p.Actual, Expected: p.Expected,
		Lo80: p.Lo80, Hi80: p.Hi80, Lo95: p.Lo95, Hi95: p.Hi95, RunRate: p.RunRate, Seasonal: p.Seasonal, LastYear: p.LastYear,
		Target: p.Target, RealTarget: p.RealTarget, PMeet: p.PMeet}
}

// ReportBacktest is the backtest every nightly report shows: the last complete year before the history's
// day, at commune level, from the quarter ends (31/03, 30/06, 30/09: 9, 6 and 3 months left) — three fits,
// a tenth of the monthly three-year backtest's work. It returns nil when the history has no complete year.
func ReportBacktest(h *History) ([]Outcome, error) {
	y, _ := h.AsOf.YM()
	y--
	var out []Outcome
	for _, m := range []time.Month{3, 6, 9} {
		o := MonthEnd(Date(y, m, 1))
		os, err := Backtest(h, BacktestOptions{From: o, To: o, Level: "commune"})
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	return out, nil
}

// PublishBacktest writes a run's scored forecasts to reporting.backtest_outcome in one transaction,
// replacing the run's rows of the level, and deletes the rows of older runs of the level.
func PublishBacktest(ctx context.Context, db bun.IDB, runID, level string, os []Outcome) error {
	if runID == "" {
		return apperr.Invalid("runId", "Thiếu mã lần chạy.", "empty run id")
	}
	rows := make([]PublishedOutcome, len(os))
	for i, o := range os {
		rows[i] = PublishedOutcome{RunID: runID, Level: level, Origin: o.Origin.Time(), UnitID: o.Unit, MonthsLeft: o.MonthsLeft,
			Actual: o.Actual, Expected: o.Expected, Lo80: o.Lo80, Hi80: o.Hi80, Lo95: o.Lo95, Hi95: o.Hi95, RunRate: o.RunRate,
			Seasonal: o.Seasonal, LastYear: o.LastYear, Target: o.Target, RealTarget: o.RealTarget, PMeet: o.PMeet}
	}
	return replaceRows(ctx, db, "backtest publish", "level = ?", level, rows)
}

// BacktestFresh says whether the published backtest of a level is less than maxAge old and scores the
// year before asOf's (then the nightly need not compute it again).
func BacktestFresh(ctx context.Context, db bun.IDB, level string, asOf time.Time, maxAge time.Duration) (bool, error) {
	var n int
	err := db.NewRaw(`SELECT count(*) FROM reporting.backtest_outcome WHERE level = ? AND created_at > ? AND extract(year FROM origin) = ?`,
		level, time.Now().Add(-maxAge), asOf.Year()-1).Scan(ctx, &n)
	if err != nil {
		return false, fmt.Errorf("backtest fresh: %w", err)
	}
	return n > 0, nil
}
