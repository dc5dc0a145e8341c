package graph

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vikstrous/dataloadgen"

	"ptdv/internal/org"
	"ptdv/internal/people"
	"ptdv/internal/pipeline"
	"ptdv/internal/vn"
)

// hinted is a batching loader that a parent list tells which keys its items will ask for (expect). The
// first Load of an announced key fetches every key announced with it in one query, at once: the
// siblings asking next find it done. No timer runs, so a nested page costs no fixed wait per level on
// an idle server, and the query count stays constant in the page size. A key nobody announced goes
// through the batching loader and its wait (a field reached some other way). A list whose items are
// never asked for the field costs nothing: the fetch runs on the first Load.
type hinted[K comparable, V any] struct {
	*dataloadgen.Loader[K, V]
	fetch func(context.Context, []K) (map[K]V, error)
	// then, when set, announces the next level's keys from what a fetch returned (a due's case, then
	// that case's person).
	then   func(context.Context, map[K]V)
	mu     sync.Mutex
	groups map[K]*hintGroup[K, V]
}

type hintGroup[K comparable, V any] struct {
	keys []K
	once sync.Once
	vals map[K]V
	err  error
}

func newHinted[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error), opts ...dataloadgen.Option) *hinted[K, V] {
	return &hinted[K, V]{Loader: dataloadgen.NewMappedLoader(fetch, opts...), fetch: fetch, groups: map[K]*hintGroup[K, V]{}}
}

// expect announces keys that items of a list will ask for; a key announced before keeps its group.
func (h *hinted[K, V]) expect(keys ...K) {
	if len(keys) == 0 {
		return
	}
	g := &hintGroup[K, V]{}
	h.mu.Lock()
	for _, k := range keys {
		if _, ok := h.groups[k]; !ok {
			h.groups[k] = g
			g.keys = append(g.keys, k)
		}
	}
	h.mu.Unlock()
}

// Load returns the value of k: from its announced group (fetched whole on its first Load), or through
// the batching loader.
func (h *hinted[K, V]) Load(ctx context.Context, k K) (V, error) {
	h.mu.Lock()
	g := h.groups[k]
	h.mu.Unlock()
	if g == nil {
		TimedLoads.Add(1)
		return h.Loader.Load(ctx, k)
	}
	g.once.Do(func() {
		g.vals, g.err = h.fetch(ctx, g.keys)
		if g.err == nil && h.then != nil {
			h.then(ctx, g.vals)
		}
	})
	var zero V
	if g.err != nil {
		return zero, g.err
	}
	v, ok := g.vals[k]
	if !ok {
		return zero, dataloadgen.ErrNotFound
	}
	return v, nil
}

// Root lookups by id announce their key, so that the first level of a query runs at once too (aliases
// of one root field then fetch one by one: the cost limit bounds them).

func rootUnit(ctx context.Context, id int64, asOf time.Time) (*org.Unit, error) {
	loadersFor(ctx).unit.expect(org.ChildKey{ID: id, AsOf: vn.Day(asOf)})
	return loadUnit(ctx, id, asOf)
}

func rootPerson(ctx context.Context, id int64) (*people.Person, error) {
	loadersFor(ctx).person.expect(id)
	return loadPerson(ctx, id)
}

func rootCase(ctx context.Context, id int64) (*pipeline.Case, error) {
	loadersFor(ctx).cases.expect(id)
	return loadCase(ctx, id)
}

// announceNodes announces the units, persons and cases of a nodes(ids:) call, so each kind is one query.
func announceNodes(ctx context.Context, ids []string) {
	var units []org.ChildKey
	var persons, cases []int64
	day := vn.Today()
	for _, id := range ids {
		t, k, err := parseGlobalID(id)
		if err != nil {
			continue
		}
		switch t {
		case typeUnit:
			units = append(units, org.ChildKey{ID: k, AsOf: day})
		case typePerson:
			persons = append(persons, k)
		case typeCandidate:
			cases = append(cases, k)
		}
	}
	l := loadersFor(ctx)
	l.unit.expect(units...)
	l.person.expect(persons...)
	l.cases.expect(cases...)
}

// TimedLoads counts the loads no list announced, which wait for the batching loader's timer: the
// screens' fields should add none (a test holds them to it).
var TimedLoads atomic.Int64

// The hints of the lists: what each kind of item will ask for.

// expectCases announces what a page of cases asks per item: the person, the cell (today), the helper,
// the sponsors and the dues.
func expectCases(ctx context.Context, cs []pipeline.Case) {
	if len(cs) == 0 {
		return
	}
	l := loadersFor(ctx)
	persons := make([]int64, 0, 2*len(cs))
	cells := make([]org.ChildKey, 0, len(cs))
	ids := make([]int64, 0, len(cs))
	day := vn.Today()
	for i := range cs {
		c := &cs[i]
		persons = append(persons, c.PersonID)
		if c.HelperID != nil {
			persons = append(persons, *c.HelperID)
		}
		cells = append(cells, org.ChildKey{ID: c.CellID, AsOf: day})
		ids = append(ids, c.ID)
	}
	l.person.expect(persons...)
	l.unit.expect(cells...)
	l.sponsors.expect(ids...)
	l.dues.expect(ids...)
}

// expectUnits announces what a page of units asks per item: the parent and the number of children,
// both as of the unit's date.
func expectUnits(ctx context.Context, us []org.Unit) {
	if len(us) == 0 {
		return
	}
	l := loadersFor(ctx)
	parents := make([]org.ChildKey, 0, len(us))
	counts := make([]org.ChildKey, 0, len(us))
	for i := range us {
		u := &us[i]
		if u.ParentID != nil {
			parents = append(parents, org.ChildKey{ID: *u.ParentID, AsOf: vn.Day(u.AsOf)})
		}
		counts = append(counts, org.ChildKey{ID: u.ID, AsOf: u.AsOf}) // as Unit.childCount asks
	}
	l.unit.expect(parents...)
	l.childCount.expect(counts...)
}

// expectUnitsOn announces units by id as of a day (a person's cell, a progress row's unit).
func expectUnitsOn(ctx context.Context, day time.Time, ids ...int64) {
	keys := make([]org.ChildKey, len(ids))
	for i, id := range ids {
		keys[i] = org.ChildKey{ID: id, AsOf: vn.Day(day)}
	}
	loadersFor(ctx).unit.expect(keys...)
}
