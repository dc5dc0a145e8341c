package target

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"ptdv/internal/apperr"
	"ptdv/internal/auth"
	pdb "ptdv/internal/db"
	"ptdv/internal/org"
	"ptdv/internal/page"
	"ptdv/internal/vn"
)

// TargetSource says where the target of a Progress comes from.
type TargetSource string

const (
	SourceExplicit TargetSource = "explicit" // the unit's own target
	SourceMerged   TargetSource = "merged"   // the sum of the targets of the units merged into it
	SourceSplit    TargetSource = "split"    // none: a successor of a split needs its own target
	SourceNone     TargetSource = "none"     // none set
)

// Progress is where a unit stands against its target for a period, as of a day.
type Progress struct {
	UnitID  int64
	Measure string
	Period  Period
	// AsOf is the day counted through: the requested day clamped into the period.
	AsOf time.Time

	TargetSource TargetSource
	Target       *Target  // the unit's own target (SourceExplicit)
	Inherited    []Target // the predecessors' targets summed (SourceMerged)
	// TargetCount is the number to reach: a count target's count, a rate target's ceil(rate × denominator
	// / 100), the sum of the inherited ones. nil without a target.
	TargetCount   *int
	Rate          *float64   // percent, for a rate target (inherited: when all share one rate)
	RateBase      string     // a code of target_rate_base
	Denominator   *int       // members of the subtree on DenominatorOn, for a rate target
	DenominatorOn *time.Time // 31 December of the year before the period starts

	// Admitted is "this period": admissions decided from Period.Start through AsOf.
	Admitted       int
	PercentDone    *float64 // Admitted / TargetCount × 100
	DaysElapsed    int      // days from Period.Start through AsOf, both included
	DaysTotal      int
	PercentElapsed float64
	Expected       *float64 // the count due by AsOf at an even pace: TargetCount × DaysElapsed / DaysTotal

	// The quarterly-report layout: this period / same period last year / %.
	LastYearFrom       time.Time // Period.Start one year earlier
	LastYearTo         time.Time // AsOf one year earlier
	SamePeriodLastYear int
	PercentOfLastYear  *float64 // Admitted / SamePeriodLastYear × 100
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func ptr[T any](v T) *T { return &v }

// yearEarlier is the same day one year earlier; 29 February becomes the 28th.
func yearEarlier(d time.Time) time.Time {
	if d.Month() == time.February && d.Day() == 29 {
		return time.Date(d.Year()-1, time.February, 28, 0, 0, 0, 0, time.UTC)
	}
	return d.AddDate(-1, 0, 0)
}

// ceilRate is ceil(rate % × n), exactly: rates have at most three decimals.
func ceilRate(rate float64, n int) int {
	r := int64(math.Round(rate * 1000))
	return int((r*int64(n) + 99_999) / 100_000)
}

// denominatorDay is the day the base of an admissions rate is counted: 31 December of the year before
// the period starts.
func denominatorDay(p Period) time.Time {
	return time.Date(p.Start.Year()-1, 12, 31, 0, 0, 0, 0, time.UTC)
}

func clampDay(d time.Time, p Period) time.Time {
	if d.After(p.End) {
		return p.End
	}
	return d
}

// request is one unit whose progress is computed.
type request struct {
	unit     int64
	period   Period
	explicit *Target // the target asked for (Progress); nil: resolve the unit's target for the period
	// spanTerm: the unit has no term containing the day; the period is the span of the inherited term
	// targets (ProgressForUnit).
	spanTerm bool
}

// match finds the target of a list for a period: the same period; for a term, the same term, else the
// term target running on asOf.
func match(ts []Target, p Period, asOf time.Time) *Target {
	for i, t := range ts {
		if t.Period.Kind == p.Kind && t.Period.Start.Equal(p.Start) && t.Period.End.Equal(p.End) {
			return &ts[i]
		}
	}
	if p.Kind != PeriodTerm {
		return nil
	}
	for i, t := range ts {
		if p.TermID != nil && t.Period.TermID != nil && *t.Period.TermID == *p.TermID {
			return &ts[i]
		}
	}
	var best *Target
	for i, t := range ts {
		if t.Period.Kind == PeriodTerm && t.Period.Contains(asOf) && (best == nil || t.Period.Start.After(best.Period.Start)) {
			best = &ts[i]
		}
	}
	return best
}

// resolved is a request after its target was found.
type resolved struct {
	period    Period
	asOf      time.Time
	source    TargetSource
	explicit  *Target
	inherited []Target
}

// compute computes the progress of many units in a few queries, in one read transaction (and the
// admissions on a second connection, see countEarly). Its targets carry matchCols only: callers hydrate
// the rows they return.
func compute(ctx context.Context, idb bun.IDB, a *auth.Actor, measure string, reqs []request, today time.Time) ([]Progress, error) {
	pool, _ := idb.(*bun.DB) // a second connection for the admissions, when the caller holds no transaction
	var out []Progress
	err := noJIT(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = computeIn(ctx, tx, pool, a, measure, reqs, today)
		return err
	})
	return out, err
}

// noJIT runs fn in a transaction without JIT: a board's view of a province probes the admissions index
// tens of thousands of times, the planner's cost passes jit_above_cost, and compiling would cost more
// than the query itself.
func noJIT(ctx context.Context, idb bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return pdb.InTx(ctx, idb, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// admissionWindows lists the sources and windows of the admissions count for requests measured over
// the given periods.
func admissionWindows(g lineage, reqs []request, periods []Period, today time.Time) ([]source, []window) {
	var srcs []source
	wins := make([]window, len(reqs))
	for i, p := range periods {
		srcs = append(srcs, g.sources(i, reqs[i].unit)...)
		asOf := clampDay(today, p)
		w := window{thisFrom: p.Start, thisTo: p.Start, lastFrom: yearEarlier(p.Start), lastTo: yearEarlier(p.Start)}
		if !asOf.Before(p.Start) {
			w.thisTo = asOf.AddDate(0, 0, 1)
			w.lastTo = yearEarlier(asOf).AddDate(0, 0, 1)
		}
		wins[i] = w
	}
	return srcs, wins
}

type countResult struct {
	skipped bool // no second connection in time
	periods []Period
	counts  []counted
	err     error
}

// countEarly starts the admissions count of year and quarter requests on connections of the pool: a
// target of such a period has the period's own dates, so the count need not wait for the targets and
// the denominators. Many requests (a province's children) are split in two halves counted side by side,
// one server process each. It returns nil when it cannot (no pool, or a term or a given target may
// change the period).
func countEarly(ctx context.Context, pool *bun.DB, a *auth.Actor, g lineage, reqs []request, today time.Time) <-chan countResult {
	if pool == nil {
		return nil
	}
	periods := make([]Period, len(reqs))
	for i, r := range reqs {
		if r.explicit != nil || r.spanTerm || r.period.Kind == PeriodTerm {
			return nil
		}
		periods[i] = r.period
	}
	parts := 1
	if len(reqs) >= splitAbove {
		parts = 2
	}
	partial := make(chan countResult, parts)
	for p := range parts {
		lo, hi := p*len(reqs)/parts, (p+1)*len(reqs)/parts
		go func() { partial <- countPart(ctx, pool, a, g, reqs[lo:hi], periods[lo:hi], today, lo) }()
	}
	ch := make(chan countResult, 1)
	go func() {
		res := countResult{periods: periods, counts: make([]counted, len(reqs))}
		for range parts {
			r := <-partial
			res.skipped = res.skipped || r.skipped
			res.err = errors.Join(res.err, r.err)
			for _, c := range r.counts {
				res.counts[c.Subject] = c
			}
		}
		ch <- res
	}()
	return ch
}

// splitAbove is the number of requests from which countEarly counts in two halves.
var splitAbove = 200

// countPart counts the admissions of some requests on a connection of its own; subjects are numbered
// from first.
func countPart(ctx context.Context, pool *bun.DB, a *auth.Actor, g lineage, reqs []request, periods []Period, today time.Time, first int) countResult {
	// The caller holds a connection already: wait only briefly for another, or requests that filled
	// the pool would each wait for another's.
	cctx, cancel := context.WithTimeout(ctx, secondConnWait)
	conn, err := pool.Conn(cctx)
	cancel()
	if err != nil {
		return countResult{skipped: true}
	}
	defer conn.Close()
	srcs, wins := admissionWindows(g, reqs, periods, today)
	var counts []counted
	err = noJIT(ctx, conn, func(ctx context.Context, tx bun.Tx) error {
		var err error
		counts, err = countAdmissions(ctx, tx, srcs, wins)
		return err
	})
	for i := range counts {
		counts[i].Subject += first
	}
	return countResult{counts: counts, err: err}
}

// secondConnWait bounds the wait for countEarly's connection; past it the count runs in the caller's
// transaction, after the targets.
const secondConnWait = 20 * time.Millisecond

func computeIn(ctx context.Context, db bun.IDB, pool *bun.DB, a *auth.Actor, measure string, reqs []request, today time.Time) ([]Progress, error) {
	today = vn.Day(today)
	var units []int64
	for _, r := range reqs {
		units = append(units, r.unit)
	}
	g, err := loadLineage(ctx, db, units)
	if err != nil {
		return nil, err
	}
	early := countEarly(ctx, pool, a, g, reqs, today)
	var earlyRes *countResult
	wait := func() *countResult {
		if early != nil && earlyRes == nil {
			r := <-early
			earlyRes = &r
		}
		return earlyRes
	}
	defer wait() // never leave the count running on its connection

	// The targets of the units and of every unit merged into them, for the periods asked.
	need := map[int64]bool{}
	var ids []int64
	from, to := today, today
	var kinds []string
	for i, r := range reqs {
		for _, u := range g.mergeClosure(r.unit) {
			if !need[u] {
				need[u] = true
				ids = append(ids, u)
			}
		}
		if i == 0 {
			from, to = r.period.Start, r.period.End
		}
		from, to = earliest(from, r.period.Start, today), latest(to, r.period.End, today)
		if !slices.Contains(kinds, string(r.period.Kind)) {
			kinds = append(kinds, string(r.period.Kind))
		}
	}
	byUnit := map[int64][]Target{}
	if len(ids) > 0 {
		// One index probe per unit, the scope tested on each target found (OFFSET 0 keeps the subquery
		// from being flattened): for a province's 3,261 children, 23 ms where "unit_id = ANY(…)" made the
		// planner read the whole table (60 ms), and the scope outside the subquery a hash of every link.
		sc, sargs := a.Scope().UnitFilter("t.unit_id")
		ts, err := selectTargetsFrom(ctx, db, nil, matchCols, `unnest(?::bigint[]) AS k(unit_id) CROSS JOIN LATERAL (
			SELECT * FROM target t WHERE t.unit_id = k.unit_id AND t.measure = ? AND t.period_kind = ANY(?::text[])
			AND t.period_start <= ?::date AND t.period_end >= ?::date AND `+sc+` OFFSET 0) t`, "TRUE", "ORDER BY t.unit_id, t.period_start",
			append([]any{pgdialect.Array(ids), measure, pgdialect.Array(kinds), to, from}, sargs...)...)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			byUnit[t.UnitID] = append(byUnit[t.UnitID], t)
		}
	}

	// Resolve each request's target and period.
	var inherit func(unit int64, p Period, asOf time.Time, depth int) []Target
	inherit = func(unit int64, p Period, asOf time.Time, depth int) []Target {
		var out []Target
		if depth >= maxDepth {
			return nil
		}
		for _, e := range g.preds(unit, "merge") {
			// Only a period that began before the merger carries over.
			if t := match(byUnit[e.Pred], p, asOf); t != nil {
				if t.Period.Start.Before(e.Effective) {
					out = append(out, *t)
				}
				continue
			}
			out = append(out, inherit(e.Pred, p, asOf, depth+1)...)
		}
		return out
	}
	res := make([]resolved, len(reqs))
	for i, r := range reqs {
		x := resolved{period: r.period}
		asOf := clampDay(today, r.period)
		if r.spanTerm {
			asOf = today
		}
		switch {
		case r.explicit != nil:
			x.explicit, x.period, x.source = r.explicit, r.explicit.Period, SourceExplicit
		case match(byUnit[r.unit], r.period, asOf) != nil:
			t := match(byUnit[r.unit], r.period, asOf)
			x.explicit, x.period, x.source = t, t.Period, SourceExplicit
		default:
			x.inherited = inherit(r.unit, r.period, asOf, 0)
			if len(x.inherited) > 0 {
				x.source = SourceMerged
				if r.spanTerm {
					x.period = Period{Kind: PeriodTerm, Start: x.inherited[0].Period.Start, End: x.inherited[0].Period.End}
					for _, t := range x.inherited {
						x.period.Start, x.period.End = earliest(x.period.Start, t.Period.Start), latest(x.period.End, t.Period.End)
					}
				}
				break
			}
			x.source = SourceNone
			for _, e := range g.preds(r.unit, "split") {
				if r.period.Start.Before(e.Effective) {
					x.source = SourceSplit
				}
			}
			if r.spanTerm {
				return nil, apperr.NotFoundf("term", today.Format(time.DateOnly))
			}
		}
		x.asOf = clampDay(today, x.period)
		res[i] = x
	}

	// Denominators of the rate targets: one subject per (unit, day).
	type dkey struct {
		unit int64
		on   time.Time
	}
	dIndex := map[dkey]int{}
	var dSrcs []source
	var dDays []time.Time
	want := func(t Target) {
		if t.Values.Kind != KindRate {
			return
		}
		k := dkey{t.UnitID, denominatorDay(t.Period)}
		if _, ok := dIndex[k]; !ok {
			dIndex[k] = len(dDays)
			dSrcs = append(dSrcs, g.sources(len(dDays), t.UnitID)...)
			dDays = append(dDays, k.on)
		}
	}
	for _, x := range res {
		if x.explicit != nil {
			want(*x.explicit)
		}
		for _, t := range x.inherited {
			want(t)
		}
	}
	members, err := countMembers(ctx, db, dSrcs, dDays)
	if err != nil {
		return nil, err
	}
	resolve := func(t Target) (n int, denom *int) {
		if t.Values.Kind == KindRate {
			d := members[dIndex[dkey{t.UnitID, denominatorDay(t.Period)}]]
			return ceilRate(*t.Values.Rate, d), &d
		}
		return *t.Values.Count, nil
	}

	// Admissions: one subject per request, over the resolved periods (counted early when they are the
	// requests' own).
	periods := make([]Period, len(res))
	for i, x := range res {
		periods[i] = x.period
	}
	srcs, wins := admissionWindows(g, reqs, periods, today)
	var counts []counted
	if r := wait(); r != nil && !r.skipped && slices.EqualFunc(r.periods, periods, Period.same) {
		if r.err != nil {
			return nil, r.err
		}
		counts = r.counts
	} else if counts, err = countAdmissions(ctx, db, srcs, wins); err != nil {
		return nil, err
	}

	out := make([]Progress, len(res))
	for i, x := range res {
		p := Progress{UnitID: reqs[i].unit, Measure: measure, Period: x.period, AsOf: x.asOf, TargetSource: x.source,
			Target: x.explicit, Inherited: x.inherited, Admitted: counts[i].This, SamePeriodLastYear: counts[i].Last,
			DaysTotal: x.period.Days(), LastYearFrom: wins[i].lastFrom, LastYearTo: wins[i].lastTo.AddDate(0, 0, -1)}
		switch {
		case x.explicit != nil:
			n, d := resolve(*x.explicit)
			p.TargetCount, p.Denominator = &n, d
			if x.explicit.Values.Kind == KindRate {
				p.Rate, p.RateBase, p.DenominatorOn = x.explicit.Values.Rate, x.explicit.Values.RateBase, ptr(denominatorDay(x.explicit.Period))
			}
		case len(x.inherited) > 0:
			sum, dsum, allRate := 0, 0, true
			for _, t := range x.inherited {
				n, d := resolve(t)
				sum += n
				if d == nil {
					allRate = false
				} else {
					dsum += *d
				}
			}
			p.TargetCount = &sum
			if first := x.inherited[0]; allRate {
				p.Denominator, p.RateBase, p.DenominatorOn = &dsum, first.Values.RateBase, ptr(denominatorDay(first.Period))
				if !slices.ContainsFunc(x.inherited, func(t Target) bool { return *t.Values.Rate != *first.Values.Rate }) {
					p.Rate = first.Values.Rate
				}
			}
		}
		if !x.asOf.Before(x.period.Start) {
			p.DaysElapsed = days(x.period.Start, x.asOf) + 1
		}
		p.PercentElapsed = round1(100 * float64(p.DaysElapsed) / float64(p.DaysTotal))
		if p.TargetCount != nil {
			p.Expected = ptr(round1(float64(*p.TargetCount) * float64(p.DaysElapsed) / float64(p.DaysTotal)))
			if *p.TargetCount > 0 {
				p.PercentDone = ptr(round1(100 * float64(p.Admitted) / float64(*p.TargetCount)))
			}
		}
		if p.SamePeriodLastYear > 0 {
			p.PercentOfLastYear = ptr(round1(100 * float64(p.Admitted) / float64(p.SamePeriodLastYear)))
		}
		out[i] = p
	}
	return out, nil
}

// hydrate replaces the targets of progress rows (read with matchCols only) by the whole rows.
func hydrate(ctx context.Context, db bun.IDB, a *auth.Actor, ps []Progress) error {
	var ids []int64
	for _, p := range ps {
		if p.Target != nil {
			ids = append(ids, p.Target.ID)
		}
		for _, t := range p.Inherited {
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ts, err := selectTargets(ctx, db, a, `t.id = ANY(?::bigint[])`, "", pgdialect.Array(ids))
	if err != nil {
		return err
	}
	byID := make(map[int64]Target, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
	}
	for i := range ps {
		if t := ps[i].Target; t != nil {
			full := byID[t.ID]
			ps[i].Target = &full
		}
		inh := make([]Target, len(ps[i].Inherited))
		for j, t := range ps[i].Inherited {
			inh[j] = byID[t.ID]
		}
		if len(inh) > 0 {
			ps[i].Inherited = inh
		}
	}
	return nil
}

// liveMeasure checks that progress is computed for a measure.
func liveMeasure(ctx context.Context, db bun.IDB, code string) error {
	m, err := measure(ctx, db, code)
	if err != nil {
		return err
	}
	if !m.LiveProgress {
		return apperr.Invalid("measure", fmt.Sprintf("Chưa theo dõi tiến độ trực tiếp cho chỉ tiêu %q.", m.LabelVI),
			fmt.Sprintf("live progress is not computed for measure %s", m.Code))
	}
	return nil
}

// TargetProgress returns where a target in the actor's scope stands as of today (clamped into its
// period).
func TargetProgress(ctx context.Context, db bun.IDB, targetID int64, today time.Time) (Progress, error) {
	a, t, err := readTarget(ctx, db, targetID)
	if err != nil {
		return Progress{}, err
	}
	if err := liveMeasure(ctx, db, t.Measure); err != nil {
		return Progress{}, err
	}
	ps, err := compute(ctx, db, a, t.Measure, []request{{unit: t.UnitID, period: t.Period, explicit: &t}}, today)
	if err == nil {
		err = hydrate(ctx, db, a, ps)
	}
	if err != nil {
		return Progress{}, err
	}
	return ps[0], nil
}

// ProgressForUnit returns where a unit in the actor's scope stands on date against its target for the
// period of the kind that contains date: the calendar year or quarter, or the unit's term (its own; if
// it has none then, the span of the term targets it inherits through a merger; NOT_FOUND if neither).
// Without a target the report still counts the admissions.
func ProgressForUnit(ctx context.Context, db bun.IDB, unitID int64, measure string, kind PeriodKind, date time.Time) (Progress, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return Progress{}, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return Progress{}, err
	}
	if err := liveMeasure(ctx, db, measure); err != nil {
		return Progress{}, err
	}
	d := vn.Day(date)
	r := request{unit: unitID}
	switch kind {
	case PeriodYear:
		r.period = Year(d.Year())
	case PeriodQuarter:
		r.period = Quarter(d.Year(), QuarterOf(d))
	case PeriodTerm:
		var ts []Term
		if err := db.NewRaw(`SELECT `+termCols+` FROM term m WHERE m.unit_id = ? AND m.starts_on <= ?::date AND m.ends_on >= ?::date`,
			unitID, d, d).Scan(ctx, &ts); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Progress{}, fmt.Errorf("target: term on %s: %w", d.Format(time.DateOnly), err)
		}
		if len(ts) > 0 {
			r.period = ts[0].Period()
		} else {
			r.period, r.spanTerm = Period{Kind: PeriodTerm, Start: d, End: d}, true
		}
	default:
		return Progress{}, apperr.Invalid("periodKind", fmt.Sprintf("Loại kỳ %q không tồn tại (term, year, quarter).", kind),
			fmt.Sprintf("unknown period kind %q", kind))
	}
	ps, err := compute(ctx, db, a, measure, []request{r}, d)
	if err == nil {
		err = hydrate(ctx, db, a, ps)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound {
			return Progress{}, &apperr.Error{Code: apperr.NotFound, Field: "date",
				Message:   fmt.Sprintf("Đơn vị chưa có nhiệm kỳ nào chứa ngày %s.", vn.Date(d)),
				MessageEN: fmt.Sprintf("the unit has no term containing %s", d.Format(time.DateOnly))}
		}
		return Progress{}, err
	}
	return ps[0], nil
}

// Sort orders ChildrenProgress.
type Sort string

const (
	SortPercentAsc  Sort = "percent_asc"  // the furthest behind first
	SortPercentDesc Sort = "percent_desc" // the furthest ahead first
)

// ChildProgress is one child unit's progress.
type ChildProgress struct {
	Unit     org.Unit
	Progress Progress
}

// PageKey is the cursor key of a row of ChildrenProgress, for page.Cursor.
func (c ChildProgress) PageKey() string { return childKey(c.Progress.PercentDone, c.Unit.Code) }

func childKey(pct *float64, code string) string {
	if pct == nil {
		return "0||" + code
	}
	return "1|" + strconv.FormatFloat(*pct, 'f', -1, 64) + "|" + code
}

// ChildrenProgress returns the progress of every child of a unit (the children of today's tree, in the
// actor's scope) for a measure and period as of today, so a board sees which lag: ordered by percent
// done (children without a target last, then by code). Each child is measured against its own target for
// the period (for a term: the same term, else its own term target running on the day), or the targets it
// inherits by merger; without one it still shows its admissions.
func ChildrenProgress(ctx context.Context, db bun.IDB, unitID int64, measure string, period Period, today time.Time, sort Sort, p page.Args) (page.Page[ChildProgress], error) {
	a, err := actor(ctx, false)
	if err != nil {
		return page.Page[ChildProgress]{}, err
	}
	if sort != SortPercentAsc && sort != SortPercentDesc {
		return page.Page[ChildProgress]{}, apperr.Invalid("sort", "Thứ tự sắp xếp phải là percent_asc hoặc percent_desc.", "sort must be percent_asc or percent_desc")
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return page.Page[ChildProgress]{}, err
	}
	if err := liveMeasure(ctx, db, measure); err != nil {
		return page.Page[ChildProgress]{}, err
	}
	period, _, err = period.normalize(ctx, db)
	if err != nil {
		return page.Page[ChildProgress]{}, err
	}
	// row is a child in the order of the page: with a percentage (has) first, by pct, then by code. The
	// cursor is the last row of the previous page.
	type row struct {
		i    int
		has  bool
		pct  float64
		code string
	}
	var after row
	if p.After != "" {
		parts := strings.SplitN(p.After, "|", 3)
		ok := len(parts) == 3 && (parts[0] == "0" || parts[0] == "1")
		if ok && parts[0] == "1" {
			after.pct, err = strconv.ParseFloat(parts[1], 64)
			ok = err == nil
		}
		if !ok {
			return page.Page[ChildProgress]{}, apperr.Invalid("after", "Con trỏ phân trang (after) không hợp lệ.", "invalid cursor in after")
		}
		after.has, after.code = parts[0] == "1", parts[2]
	}

	d := vn.Day(today)
	var kids []struct {
		ID   int64  `bun:"unit_id"`
		Code string `bun:"code"`
	}
	cond, cargs := a.Scope().UnitFilter("l.unit_id")
	if a.Scope().All {
		cond, cargs = "TRUE", nil
	}
	// The code by a lookup per child: joined, the planner may scan every unit of the country.
	if err := db.NewRaw(`SELECT l.unit_id, (SELECT u.code FROM org_unit u WHERE u.id = l.unit_id) AS code FROM org_link l
		WHERE l.parent_id = ? AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date) AND `+cond,
		append([]any{unitID, d, d}, cargs...)...).Scan(ctx, &kids); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return page.Page[ChildProgress]{}, fmt.Errorf("target: children: %w", err)
	}
	if len(kids) == 0 {
		return page.Page[ChildProgress]{}, nil
	}
	reqs := make([]request, len(kids))
	for i, k := range kids {
		reqs[i] = request{unit: k.ID, period: period}
	}
	ps, err := compute(ctx, db, a, measure, reqs, d)
	if err != nil {
		return page.Page[ChildProgress]{}, err
	}
	order := func(x, y row) int {
		if x.has != y.has {
			if x.has {
				return -1
			}
			return 1
		}
		if x.has && x.pct != y.pct {
			if sort == SortPercentDesc {
				return cmp.Compare(y.pct, x.pct)
			}
			return cmp.Compare(x.pct, y.pct)
		}
		return strings.Compare(x.code, y.code)
	}
	rows := make([]row, 0, len(kids))
	for i, k := range kids {
		r := row{i: i, code: k.Code}
		if ps[i].PercentDone != nil {
			r.has, r.pct = true, *ps[i].PercentDone
		}
		if p.After != "" && order(r, after) <= 0 {
			continue
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, order)
	if len(rows) > p.First+1 {
		rows = rows[:p.First+1]
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = kids[r.i].ID
	}
	us, err := org.Get(ctx, db, ids, d)
	if err != nil {
		return page.Page[ChildProgress]{}, err
	}
	shown := make([]Progress, len(rows))
	for i, r := range rows {
		shown[i] = ps[r.i]
	}
	if err := hydrate(ctx, db, a, shown); err != nil {
		return page.Page[ChildProgress]{}, err
	}
	out := make([]ChildProgress, len(rows))
	for i, r := range rows {
		out[i] = ChildProgress{Unit: us[kids[r.i].ID], Progress: shown[i]}
	}
	return page.Trim(out, p), nil
}

// CountChildren is the number of rows ChildrenProgress returns over all its pages: the unit's children
// on the day, within the actor's scope.
func CountChildren(ctx context.Context, db bun.IDB, unitID int64, today time.Time) (int, error) {
	a, err := actor(ctx, false)
	if err != nil {
		return 0, err
	}
	if err := auth.CheckUnits(ctx, db, unitID); err != nil {
		return 0, err
	}
	d := vn.Day(today)
	cond, cargs := a.Scope().UnitFilter("l.unit_id")
	if a.Scope().All {
		cond, cargs = "TRUE", nil
	}
	var n int
	if err := db.NewRaw(`SELECT count(*) FROM org_link l
		WHERE l.parent_id = ? AND l.valid_from <= ?::date AND (l.valid_to IS NULL OR l.valid_to > ?::date) AND `+cond,
		append([]any{unitID, d, d}, cargs...)...).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("target: count children: %w", err)
	}
	return n, nil
}

// MeasureOr is the measure a request names, or admissions when it names none: the default of every
// progress report (the GraphQL fields and the reports agree on it here, not in each caller).
func MeasureOr(measure string) string {
	if measure == "" {
		return MeasureAdmissions
	}
	return measure
}

// ChildrenProgressFor is the children's progress for the period of the kind that contains the day. The
// period is the one of the unit's own progress report (a term, say, is the unit's term, not each
// child's), so a board's parent row and its children's rows always agree.
func ChildrenProgressFor(ctx context.Context, db bun.IDB, unitID int64, measure string, kind PeriodKind, day time.Time, sort Sort, p page.Args) (page.Page[ChildProgress], error) {
	measure = MeasureOr(measure)
	parent, err := ProgressForUnit(ctx, db, unitID, measure, kind, day)
	if err != nil {
		return page.Page[ChildProgress]{}, err
	}
	return ChildrenProgress(ctx, db, unitID, measure, parent.Period, day, sort, p)
}
