package graph

import (
	"context"
	"strconv"
	"time"

	"ptdv/graph/model"
	"ptdv/internal/apperr"
	"ptdv/internal/org"
	"ptdv/internal/target"
	"ptdv/internal/vn"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// at returns the unit as of the field's asOf: obj itself when the date is the one it was read on.
func (r *Resolver) at(ctx context.Context, obj *org.Unit, asOf *model.Date) (*org.Unit, error) {
	d := dateOr(asOf, obj.AsOf)
	if d.Equal(obj.AsOf) {
		return obj, nil
	}
	return loadUnit(ctx, obj.ID, d)
}

// node fetches any object by global ID; out of scope and missing both give null.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	t, k, err := parseGlobalID(id)
	if err != nil {
		return nil, nil
	}
	switch t {
	case typeUnit:
		u, err := rootUnit(ctx, k, vn.Today())
		if err != nil || u == nil {
			return nil, err
		}
		return u, nil
	case typeOperation:
		m, err := org.GetOperations(ctx, r.db(ctx), []int64{k})
		if o, ok := m[k]; ok {
			return &o, err
		}
		return nil, err
	case typePerson:
		p, err := rootPerson(ctx, k)
		if err != nil || p == nil {
			return nil, err
		}
		return p, nil
	case typeCandidate:
		c, err := rootCase(ctx, k)
		if err != nil || c == nil {
			return nil, err
		}
		return c, nil
	case typeTarget:
		t, err := target.GetTarget(ctx, r.db(ctx), k)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, nil
		}
		return &t, err
	case typeTerm:
		t, err := target.GetTerm(ctx, r.db(ctx), k)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, nil
		}
		return &t, err
	case typeVillage:
		m, err := org.GetVillages(ctx, r.db(ctx), []int64{k}, vn.Today())
		if v, ok := m[k]; ok {
			return &v, err
		}
		return nil, err
	}
	return nil, nil
}

func villagePayload(ctx context.Context, r *Resolver, id int64, asOf time.Time) (*model.VillagePayload, error) {
	m, err := org.GetVillages(ctx, r.db(ctx), []int64{id}, asOf)
	if err != nil {
		return nil, err
	}
	v := m[id]
	return &model.VillagePayload{Village: &v}, nil
}

func (r *Resolver) lineage(ctx context.Context, obj *org.Unit, forward bool, first *int, after *string) (*model.LineageConnection, error) {
	p, err := r.pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	links, err := org.Lineage(ctx, r.db(ctx), obj.ID, forward)
	if err != nil {
		return nil, err
	}
	pg, start := slicePage(links, p)
	c := &model.LineageConnection{}
	c.Edges, c.Nodes, c.PageInfo = connection(pg, func(i int, _ *org.LineageLink) string { return strconv.Itoa(start + i) },
		func(cur string, n *org.LineageLink) model.LineageEdge { return model.LineageEdge{Cursor: cur, Node: n} })
	// The links are all in memory: the total is exact and free.
	return withTotal(ctx, c, func(context.Context) (int, error) { return len(links), nil }), nil
}
