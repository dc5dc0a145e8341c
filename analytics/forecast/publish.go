package forecast

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
)

// Published is a forecast as reporting.forecast holds it.
type Published struct {
	bun.BaseModel `bun:"table:reporting.forecast"`

	RunID       string    `bun:"run_id"`
	AsOf        time.Time `bun:"as_of,type:date"`
	TargetID    int64     `bun:"target_id"`
	UnitID      int64     `bun:"unit_id"`
	PeriodKind  string    `bun:"period_kind"`
	PeriodStart time.Time `bun:"period_start,type:date"`
	PeriodEnd   time.Time `bun:"period_end,type:date"`
	Admitted    int       `bun:"admitted"`
	Pending     float64   `bun:"pending"`
	Pipeline    float64   `bun:"pipeline"`
	Fresh       float64   `bun:"fresh"`
	Expected    float64   `bun:"expected"`
	Lo80        int       `bun:"lo80"`
	Hi80        int       `bun:"hi80"`
	Lo95        int       `bun:"lo95"`
	Hi95        int       `bun:"hi95"`
	Target      *int      `bun:"target"`
	PMeet       *float64  `bun:"p_meet"`
	Shortfall   *float64  `bun:"shortfall"`
	Explanation string    `bun:"explanation"`
	CreatedAt   time.Time `bun:"created_at,nullzero,default:now()"`
}

func published(runID string, r Result) Published {
	return Published{RunID: runID, AsOf: r.AsOf.Time(), TargetID: r.TargetID, UnitID: r.Unit, PeriodKind: r.Period.Kind,
		PeriodStart: r.Period.Start.Time(), PeriodEnd: r.Period.End.Time(), Admitted: r.Admitted, Pending: r.Pending,
		Pipeline: r.Pipeline, Fresh: r.Fresh, Expected: r.Expected, Lo80: r.Lo80, Hi80: r.Hi80, Lo95: r.Lo95, Hi95: r.Hi95,
		Target: r.Target, PMeet: r.PMeet, Shortfall: r.Shortfall, Explanation: r.Explanation}
}

// Publish writes a run's forecasts of targets to reporting.forecast in one transaction, replacing the
// rows of the same run if it is written again. The nightly job calls it as the schema owner.
func Publish(ctx context.Context, db bun.IDB, runID string, rs []Result) error {
	if runID == "" {
		return apperr.Invalid("runId", "Thiếu mã lần chạy.", "empty run id")
	}
	rows := make([]Published, 0, len(rs))
	for _, r := range rs {
		if r.TargetID != 0 {
			rows = append(rows, published(runID, r))
		}
	}
	return replaceRows(ctx, db, "forecast publish", "run_id = ?", runID, rows)
}

// replaceRows deletes the published rows of T that where (with arg) selects and inserts rows, a
// thousand a statement, in one transaction; what names the step in errors.
func replaceRows[T any](ctx context.Context, db bun.IDB, what, where string, arg any, rows []T) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*T)(nil)).Where(where, arg).Exec(ctx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for i := 0; i < len(rows); i += 1000 {
			batch := rows[i:min(i+1000, len(rows))]
			if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

// RunID names a run by its start time.
func RunID(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// latestRun is the newest run's id.
const latestRun = `(SELECT run_id FROM reporting.forecast ORDER BY as_of DESC, created_at DESC, run_id DESC LIMIT 1)`

// LatestForecast returns the newest published forecast of a unit's target, within the caller's scope;
// NOT_FOUND when there is none or it lies outside the scope (the same answer either way).
func LatestForecast(ctx context.Context, db bun.IDB, unitID, targetID int64) (Published, error) {
	a, err := auth.FromContext(ctx)
	if err != nil {
		return Published{}, err
	}
	cond, args := a.Scope().UnitFilter("f.unit_id")
	var p Published
	err = db.NewSelect().Model(&p).ModelTableExpr("reporting.forecast AS f").ColumnExpr("f.*").
		Where("f.target_id = ? AND f.unit_id = ?", targetID, unitID).Where(cond, args...).
		OrderExpr("f.as_of DESC, f.created_at DESC, f.run_id DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return Published{}, apperr.NotFoundf("forecast", "")
	}
	if err != nil {
		return Published{}, fmt.Errorf("forecast: %w", err)
	}
	return p, nil
}

// AtRisk lists the latest run's forecasts of the children of a unit (in today's tree) for targets of
// a period kind, least likely to meet their target first (those without a number to meet last).
func AtRisk(ctx context.Context, db bun.IDB, unitID int64, periodKind string) ([]Published, error) {
	switch periodKind {
	case "term", "year", "quarter":
	default:
		return nil, apperr.Invalid("periodKind", "Loại kỳ phải là nhiệm kỳ, năm hoặc quý.", "bad period kind "+periodKind)
	}
	a, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return nil, err
	}
	cond, args := a.Scope().UnitFilter("f.unit_id")
	var ps []Published
	err = db.NewSelect().Model(&ps).ModelTableExpr("reporting.forecast AS f").ColumnExpr("f.*").
		Join("JOIN org_link l ON l.unit_id = f.unit_id AND l.parent_id = ? AND l.valid_from <= current_date AND (l.valid_to IS NULL OR l.valid_to > current_date)", unitID).
		Where("f.run_id = "+latestRun).Where("f.period_kind = ?", periodKind).Where("f.period_end >= f.as_of").
		Where(cond, args...).
		OrderExpr("f.p_meet ASC NULLS LAST, f.unit_id, f.target_id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("forecast at risk: %w", err)
	}
	return ps, nil
}
