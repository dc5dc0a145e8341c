package graph

import (
	"context"
	"time"

	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	"ptdv/internal/member"
	"ptdv/internal/pipeline"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

// The unit page's fields exist twice: on Query, keyed by unitId, and on Unit, so that a unit page is one
// query. Both parse their arguments and call the functions below, which call the domain packages (where
// scope is checked) and map the result: the two cannot drift apart.

func (r *Resolver) unitProgress(ctx context.Context, unit int64, measure *string, periodKind model.PeriodKind, on time.Time) (*target.Progress, error) {
	p, err := target.ProgressForUnit(ctx, r.db(ctx), unit, target.MeasureOr(str(measure)), target.PeriodKind(codeOf(periodKind)), on)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (r *Resolver) unitChildrenProgress(ctx context.Context, unit int64, measure *string, periodKind model.PeriodKind, on time.Time, sort *model.ProgressSort, first *int, after *string) (*model.ChildProgressConnection, error) {
	pg, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	order := target.SortPercentAsc
	if sort != nil && *sort == model.ProgressSortPercentDesc {
		order = target.SortPercentDesc
	}
	res, err := target.ChildrenProgressFor(ctx, r.db(ctx), unit, str(measure), target.PeriodKind(codeOf(periodKind)), on, order, pg)
	if err != nil {
		return nil, err
	}
	c := &model.ChildProgressConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(res, func(_ int, x *target.ChildProgress) string { return x.PageKey() },
		func(cur string, n *target.ChildProgress) model.ChildProgressEdge {
			return model.ChildProgressEdge{Cursor: cur, Node: n}
		})
	return withTotal(ctx, c, func(ctx context.Context) (int, error) { return target.CountChildren(ctx, r.db(ctx), unit, on) }), nil
}

func (r *Resolver) candidates(ctx context.Context, f pipeline.Filter, first *int, after *string) (*model.CandidateConnection, error) {
	p, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	res, err := pipeline.List(ctx, r.db(ctx), f, vn.Today(), p)
	if err != nil {
		return nil, err
	}
	for i := range res.Items {
		loadersFor(ctx).cases.Prime(res.Items[i].ID, res.Items[i])
	}
	expectCases(ctx, res.Items)
	c := &model.CandidateConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(res, func(_ int, x *pipeline.Case) string { return itoa(x.ID) },
		func(cur string, n *pipeline.Case) model.CandidateEdge {
			return model.CandidateEdge{Cursor: cur, Node: n}
		})
	day := vn.Today()
	return withTotal(ctx, c, func(ctx context.Context) (int, error) { return pipeline.Count(ctx, r.db(ctx), f, day) }), nil
}

// unitCandidateFilter is the filter of Unit.candidates: the unit is the one the field is read on, so
// a unitId in the filter is refused rather than silently ignored or silently obeyed.
func unitCandidateFilter(unit int64, in *model.CandidateFilter) (pipeline.Filter, error) {
	if in != nil && in.UnitID != nil {
		return pipeline.Filter{}, apperr.Invalid("filter.unitId",
			"Không dùng filter.unitId trong Unit.candidates: đơn vị là đơn vị đang xem.",
			"filter.unitId is not allowed in Unit.candidates: the unit is the one the field is read on")
	}
	f, err := candidateFilter(in)
	f.UnitID = &unit
	return f, err
}

func (r *Resolver) dueList(ctx context.Context, unit *int64, from, to *model.Date, first *int, after *string) (*model.DueConnection, error) {
	p, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	var fromD, toD *time.Time
	if from != nil {
		d := from.Time()
		fromD = &d
	}
	if to != nil {
		d := to.Time()
		toD = &d
	}
	day := vn.Today()
	until := pipeline.DueUntil(toD, day)
	res, err := pipeline.DueList(ctx, r.db(ctx), unit, fromD, until, day, p)
	if err != nil {
		return nil, err
	}
	caseIDs := make([]int64, len(res.Items))
	for i := range res.Items {
		caseIDs[i] = res.Items[i].CaseID
	}
	loadersFor(ctx).cases.expect(caseIDs...)
	c := &model.DueConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(res, func(_ int, x *pipeline.DueItem) string { return pipeline.DueCursor(x.Due) },
		func(cur string, n *pipeline.DueItem) model.DueEdge { return model.DueEdge{Cursor: cur, Node: n} })
	return withTotal(ctx, c, func(ctx context.Context) (int, error) {
		return pipeline.CountDue(ctx, r.db(ctx), unit, fromD, until, day)
	}), nil
}

func (r *Resolver) memberCounts(ctx context.Context, unit int64, on time.Time) ([]model.MemberStatusCount, error) {
	if err := auth.CheckUnits(ctx, r.db(ctx), unit); err != nil {
		return nil, err
	}
	m, err := member.CountByStatus(ctx, r.db(ctx), unit, on)
	if err != nil {
		return nil, err
	}
	var out []model.MemberStatusCount
	for _, s := range []string{member.StatusProbationary, member.StatusFull, member.StatusExempted, member.StatusTemporaryOut} {
		out = append(out, model.MemberStatusCount{Status: memberStatusEnum(s), Count: m[s]})
	}
	return out, nil
}

func (r *Resolver) targets(ctx context.Context, unit int64, measure *string, first *int, after *string) (*model.TargetConnection, error) {
	p, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	f := target.Filter{Measure: str(measure)}
	res, err := target.UnitTargets(ctx, r.db(ctx), unit, f, p)
	if err != nil {
		return nil, err
	}
	c := &model.TargetConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(res, func(_ int, x *target.Target) string { return x.PageKey() },
		func(cur string, n *target.Target) model.TargetEdge { return model.TargetEdge{Cursor: cur, Node: n} })
	return withTotal(ctx, c, func(ctx context.Context) (int, error) { return target.CountUnitTargets(ctx, r.db(ctx), unit, f) }), nil
}
