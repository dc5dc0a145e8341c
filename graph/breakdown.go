package graph

import (
	"context"
	"encoding/json"
	"strconv"

	"ptdv/analytics/breakdown"
	"ptdv/graph/model"
)

// breakdownOut maps a breakdown to its GraphQL model; the unit is read as of the period's date.
func breakdownOut(ctx context.Context, r breakdown.Result) (*model.Breakdown, error) {
	u, err := loadUnit(ctx, r.UnitID, r.Period.OnDate)
	if err != nil {
		return nil, err
	}
	m := model.BreakdownMapAsWas
	if r.Map == breakdown.Today {
		m = model.BreakdownMapToday
	}
	out := &model.Breakdown{Unit: u, Period: r.Period.Label, PeriodKind: r.Period.Kind,
		StartsOn: model.Date(r.Period.StartsOn), EndsOn: model.Date(r.Period.EndsOn), OnDate: model.Date(r.Period.OnDate),
		Dimension: r.Dimension, Map: m, AsOf: model.Date(r.Run.AsOf), RunID: strconv.FormatInt(r.Run.ID, 10), Live: r.Live,
		Rows: make([]model.BreakdownRow, 0, len(r.Rows))}
	for _, x := range r.Rows {
		row := model.BreakdownRow{Measure: x.Measure, Category: x.Category, Count: x.N, Total: x.Total, Share: x.Share,
			CountLastYear: x.NLastYear, TotalLastYear: x.TotalLastYear, ShareLastYear: x.ShareLastYear, Change: x.Change}
		if x.Suppressed != "" {
			s := x.Suppressed
			row.Suppressed = &s
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

func funnelOut(ctx context.Context, r breakdown.FunnelResult) (*model.FunnelBreakdown, error) {
	u, err := loadUnit(ctx, r.UnitID, r.Period.OnDate)
	if err != nil {
		return nil, err
	}
	out := &model.FunnelBreakdown{Unit: u, Period: r.Period.Label, PeriodKind: r.Period.Kind, AsOf: model.Date(r.Run.AsOf),
		RunID: strconv.FormatInt(r.Run.ID, 10), Live: r.Live, Stages: []model.FunnelStage{}, Dropouts: []model.FunnelDropout{}}
	for _, s := range r.Stages {
		out.Stages = append(out.Stages, model.FunnelStage{Stage: s.Stage, Entered: int(s.Entered), Exited: int(s.Exited),
			Conversion: s.Conversion, MedianWorkingDays: s.MedianWorkingDays, P90WorkingDays: s.P90WorkingDays})
	}
	for _, d := range r.Dropouts {
		out.Dropouts = append(out.Dropouts, model.FunnelDropout{Stage: d.Stage, FromStage: d.FromStage, Reason: d.Reason, Count: int(d.N)})
	}
	return out, nil
}

func nightlyRunsOut(runs []breakdown.Run) []model.NightlyRun {
	out := make([]model.NightlyRun, 0, len(runs))
	for _, r := range runs {
		rows, _ := json.Marshal(r.RowsPerTable)
		steps, _ := json.Marshal(r.SecondsPerStep)
		out = append(out, model.NightlyRun{ID: strconv.FormatInt(r.ID, 10), StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
			Status: r.Status, AsOf: model.Date(r.AsOf), RowsPerTable: string(rows), SecondsPerStep: string(steps), Error: r.Error})
	}
	return out
}
