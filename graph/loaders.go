package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/vikstrous/dataloadgen"

	"ptdv/internal/codes"
	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// loaders batch the lookups that a page of results repeats per item (a unit's parent, its child
// count), so a page costs a constant number of SQL queries. They live for one request: their caches
// must never outlive the caller's scope.
type loaders struct {
	unit       *hinted[org.ChildKey, org.Unit]
	childCount *hinted[org.ChildKey, int]
	person     *hinted[int64, people.Person]
	cases      *hinted[int64, pipeline.Case]
	sponsors   *hinted[int64, []pipeline.Sponsor]
	dues       *hinted[int64, []pipeline.DueItem]
	labels     func() (labels, error)
	codes      func() (*codes.Set, error)
	totals     totals // see connection.go
}

type labels struct{ kinds, sectors map[string]string }

type loadersKey struct{}

func newLoaders(db bun.IDB) *loaders {
	// The lists announce the keys their items will ask for (hints.go): those are fetched on the first
	// ask, with no wait. For the others, the wait gathers the keys that sibling fields ask for
	// concurrently into one batch; 16 ms (the library's default) keeps a page of 100 items in one batch
	// even on a loaded 2-core machine.
	wait := dataloadgen.WithWait(16 * time.Millisecond)
	l := &loaders{
		unit: newHinted(func(ctx context.Context, keys []org.ChildKey) (map[org.ChildKey]org.Unit, error) {
			byDay := map[time.Time][]int64{}
			for _, k := range keys {
				byDay[k.AsOf] = append(byDay[k.AsOf], k.ID)
			}
			out := make(map[org.ChildKey]org.Unit, len(keys))
			for d, ids := range byDay {
				m, err := org.Get(ctx, db, ids, d)
				if err != nil {
					return nil, err
				}
				for id, u := range m {
					out[org.ChildKey{ID: id, AsOf: d}] = u
				}
			}
			return out, nil
		}, wait),
		childCount: newHinted(func(ctx context.Context, keys []org.ChildKey) (map[org.ChildKey]int, error) {
			m, err := org.ChildCounts(ctx, db, keys)
			if err != nil {
				return nil, err
			}
			for _, k := range keys { // a unit without children is a count, not a missing key
				if _, ok := m[k]; !ok {
					m[k] = 0
				}
			}
			return m, nil
		}, wait),
	}
	l.person = newHinted(func(ctx context.Context, ids []int64) (map[int64]people.Person, error) {
		return people.Get(ctx, db, ids)
	}, wait)
	l.cases = newHinted(func(ctx context.Context, ids []int64) (map[int64]pipeline.Case, error) {
		return pipeline.Get(ctx, db, ids)
	}, wait)
	l.sponsors = newHinted(func(ctx context.Context, ids []int64) (map[int64][]pipeline.Sponsor, error) {
		m, err := pipeline.Sponsors(ctx, db, ids)
		return fill(m, ids), err
	}, wait)
	l.dues = newHinted(func(ctx context.Context, ids []int64) (map[int64][]pipeline.DueItem, error) {
		m, err := pipeline.Dues(ctx, db, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]pipeline.DueItem, len(ids))
		t := vn.Today()
		for _, id := range ids {
			out[id] = []pipeline.DueItem{}
			for _, d := range m[id] {
				out[id] = append(out[id], pipeline.DueItem{Due: d, Overdue: d.DueOn.Before(t)})
			}
		}
		return out, nil
	}, wait)
	l.codes = sync.OnceValues(func() (*codes.Set, error) { return codes.Load(context.Background(), db) })
	var once sync.Once
	var lb labels
	var lerr error
	l.labels = func() (labels, error) {
		once.Do(func() { lb, lerr = sharedLabels(db) })
		return lb, lerr
	}
	l.unit.then = func(ctx context.Context, m map[org.ChildKey]org.Unit) {
		us := make([]org.Unit, 0, len(m))
		for _, u := range m {
			us = append(us, u)
		}
		expectUnits(ctx, us)
	}
	l.person.then = func(ctx context.Context, m map[int64]people.Person) {
		ids := make([]int64, 0, len(m))
		for _, p := range m {
			ids = append(ids, p.UnitID)
		}
		expectUnitsOn(ctx, vn.Today(), ids...)
	}
	l.cases.then = func(ctx context.Context, m map[int64]pipeline.Case) {
		cs := make([]pipeline.Case, 0, len(m))
		for _, c := range m {
			cs = append(cs, c)
		}
		expectCases(ctx, cs)
	}
	l.sponsors.then = func(ctx context.Context, m map[int64][]pipeline.Sponsor) {
		var ids []int64
		for _, ss := range m {
			for _, s := range ss {
				ids = append(ids, s.SponsorID)
			}
		}
		l.person.expect(ids...)
	}
	return l
}

func loadersFor(ctx context.Context) *loaders { return ctx.Value(loadersKey{}).(*loaders) }

// loadUnit returns a unit as of a date through the request's loader; nil when missing or out of scope.
func loadUnit(ctx context.Context, id int64, asOf time.Time) (*org.Unit, error) {
	return loadOne(ctx, loadersFor(ctx).unit, org.ChildKey{ID: id, AsOf: vn.Day(asOf)})
}

// fill gives every key a (possibly empty) value: a case without sponsors is not a missing key.
func fill[V any](m map[int64][]V, ids []int64) map[int64][]V {
	if m == nil {
		m = map[int64][]V{}
	}
	for _, id := range ids {
		if m[id] == nil {
			m[id] = []V{}
		}
	}
	return m
}

// loadPerson returns a person through the request's loader; nil when missing or out of scope.
func loadPerson(ctx context.Context, id int64) (*people.Person, error) {
	return loadOne(ctx, loadersFor(ctx).person, id)
}

// loadCase returns a candidate case through the request's loader; nil when missing or out of scope.
func loadCase(ctx context.Context, id int64) (*pipeline.Case, error) {
	return loadOne(ctx, loadersFor(ctx).cases, id)
}

// loadOne returns the value of key through a loader; nil when missing or out of scope.
func loadOne[K comparable, V any](ctx context.Context, l *hinted[K, V], key K) (*V, error) {
	v, err := l.Load(ctx, key)
	if err != nil {
		if isMissing(err) {
			return nil, nil
		}
		return nil, err
	}
	return &v, nil
}

func isMissing(err error) bool { return errors.Is(err, dataloadgen.ErrNotFound) }

// labelsTTL is how long the labels of unit kinds and sectors are shared between requests: reference
// data that only migrations change (the maps are never written after they are read).
const labelsTTL = time.Minute

type labelsEntry struct {
	at time.Time
	l  labels
}

// labelsCache holds the labels per pool (the key: the request's bun.IDB), so that a unit page does not
// read them in every request.
var labelsCache sync.Map

func sharedLabels(db bun.IDB) (labels, error) {
	if e, ok := labelsCache.Load(db); ok && time.Since(e.(labelsEntry).at) < labelsTTL {
		return e.(labelsEntry).l, nil
	}
	var lb labels
	var err error
	lb.kinds, lb.sectors, err = org.Labels(context.Background(), db)
	if err != nil {
		return labels{}, err
	}
	labelsCache.Store(db, labelsEntry{time.Now(), lb})
	return lb, nil
}
