package graph

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"ptdv/graph/model"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

func dateOr(d *model.Date, def time.Time) time.Time {
	if d == nil {
		return def
	}
	return vn.Day(d.Time())
}

func dateOf(t time.Time) *model.Date { d := model.Date(t); return &d }

func optDate(t *time.Time) *model.Date {
	if t == nil {
		return nil
	}
	return dateOf(*t)
}

// pageArgs validates first/after; outside dev mode every connection requires first.
func (r *Resolver) pageArgs(first *int, after *string) (page.Args, error) {
	return page.New(first, after, !r.Dev)
}

// pageArgsBack is pageArgs for a list that may also be read from its end (last/before).
func (r *Resolver) pageArgsBack(first *int, after *string, last *int, before *string) (page.Args, error) {
	return page.NewBackward(first, after, last, before, !r.Dev)
}

// Enum values are the domain codes in upper case (grassroots_committee ↔ GRASSROOTS_COMMITTEE).
func enumOf[E ~string](code string) E { return E(strings.ToUpper(code)) }
func codeOf[E ~string](e E) string    { return strings.ToLower(string(e)) }

// optCode is codeOf for an optional enum argument: nil stays nil.
func optCode[E ~string](e *E) *string {
	if e == nil {
		return nil
	}
	c := codeOf(*e)
	return &c
}

func optKind(k *model.UnitKind) org.Filter {
	if k == nil {
		return org.Filter{}
	}
	return org.Filter{Kind: codeOf(*k)}
}

func unitConnection(ctx context.Context, p page.Page[org.Unit]) *model.UnitConnection {
	expectUnits(ctx, p.Items)
	c := &model.UnitConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(p, func(_ int, u *org.Unit) string { return u.Code },
		func(cur string, n *org.Unit) model.UnitEdge { return model.UnitEdge{Cursor: cur, Node: n} })
	return c
}

// slicePage pages a short list held in memory; the cursor is the position.
func slicePage[T any](items []T, a page.Args) (page.Page[T], int) {
	start := 0
	if a.After != "" {
		start, _ = strconv.Atoi(a.After)
		start++
	}
	if start > len(items) {
		start = len(items)
	}
	rows := items[start:]
	if len(rows) > a.First+1 {
		rows = rows[:a.First+1]
	}
	return page.Trim(rows, a), start
}

// payload is the answer of a unit operation (res, err): the operation and its units as of asOf, or err.
func payload(ctx context.Context, r *Resolver, res org.Result, err error, asOf time.Time) (*model.UnitOperationPayload, error) {
	if err != nil {
		return nil, err
	}
	ops, err := org.GetOperations(ctx, r.db(ctx), []int64{res.OperationID})
	if err != nil {
		return nil, err
	}
	op := ops[res.OperationID]
	us, err := org.Get(ctx, r.db(ctx), res.Units, asOf)
	if err != nil {
		return nil, err
	}
	p := &model.UnitOperationPayload{Operation: &op}
	for _, id := range res.Units {
		if u, ok := us[id]; ok {
			p.Affected = append(p.Affected, u)
		}
	}
	if u, ok := us[res.Units[0]]; ok {
		p.Unit = &u
	}
	return p, nil
}

func doc(in *model.DocumentInput) org.Doc {
	d := org.Doc{Effective: in.Effective.Time()}
	if in.Document != nil {
		d.Document = *in.Document
	}
	if in.Note != nil {
		d.Note = *in.Note
	}
	return d
}

func newUnit(in *model.NewUnitInput) org.NewUnit {
	return org.NewUnit{Code: in.Code, Name: in.Name, Kind: codeOf(in.Kind), Sector: codeOf(in.Sector)}
}

// below is a page of the units below obj (its children or its descendants: list, with their total:
// count) as of asOf or obj's date, of a kind if given.
func (r *unitResolver) below(ctx context.Context, obj *org.Unit, asOf *model.Date, kind *model.UnitKind, first *int, after *string,
	list func(context.Context, bun.IDB, int64, time.Time, org.Filter, page.Args) (page.Page[org.Unit], error),
	count func(context.Context, bun.IDB, int64, time.Time, org.Filter) (int, error)) (*model.UnitConnection, error) {
	p, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	day := dateOr(asOf, obj.AsOf)
	res, err := list(ctx, r.db(ctx), obj.ID, day, optKind(kind), p)
	if err != nil {
		return nil, err
	}
	return withTotal(ctx, unitConnection(ctx, res), func(ctx context.Context) (int, error) {
		return count(ctx, r.db(ctx), obj.ID, day, optKind(kind))
	}), nil
}
