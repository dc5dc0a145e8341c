package forecast

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Options tune the fit. The zero value takes the defaults.
type Options struct {
	HazardYears int     // landmarks of the last N years feed the stage curves (4)
	RateMonths  int     // months of admissions behind a unit's flow rate (36)
	RecordLag   int     // the last N months before the origin are left out of the rates: ceremonies still to come (2)
	PoolPrior   float64 // pseudo-observations pulling a pool's hazards toward all pools' (20)
	// YearSigma fixes the spread of the shared year effect (log scale); 0 estimates it from the history.
	YearSigma float64
}

func (o Options) withDefaults() Options {
	if o.HazardYears == 0 {
		o.HazardYears = 4
	}
	if o.RateMonths == 0 {
		o.RateMonths = 36
	}
	if o.RecordLag == 0 {
		o.RecordLag = 2
	}
	if o.PoolPrior == 0 {
		o.PoolPrior = 20
	}
	return o
}

const (
	durBins  = 25  // months already spent in the stage: 0 … 23, and 24 or more
	weeks    = 262 // the stage curves run five years ahead, in weeks
	horizonD = 730 // a decided case's ceremony: within two years or never
)

// Model is the fit at one origin: everything it holds was known at the end of the origin day.
type Model struct {
	O     Day
	h     *History
	opt   Options
	unit  map[int64]*unitState
	order []*unitState // the same, by id: every sum over units runs in one order (identical forecasts)
	// pools: the provinces (the roots of the tree at the origin); index 0 is all of them together.
	pools   []*pool
	poolOf  map[int64]int // root unit id → pool index
	kappa   map[string]float64
	sigmaY  float64
	lags    []int // listing → decision, in days, of recent admissions through the pipeline (sorted)
	yearNow int
}

type unitState struct {
	u        Unit
	parent   int64
	path     []int64
	pool     int
	start    Day   // the unit's history starts (its own or a merged predecessor's)
	adm      []Day // decision days of the admissions counted for it (sorted)
	cases    []openCase
	members  int // on 31/12 of the year before the origin (predecessors included); -1 unknown
	rateA    float64
	rateE    float64
	priorMu  float64 // prior rate per seasonal month
	children int
}

type openCase struct {
	stage   Stage
	entered Day
}

type pool struct {
	season [12]float64 // relative rate of each month, mean 1
	// cif[s][d][w]: P(the stage's outcome happens within w weeks | in stage s for d months)
	cif [nStages][durBins][]float64
	cum []float64 // cum[t]: seasonal-and-lag weight of days 1..t after the origin (fresh flow)
}

// Fit learns the model from what h held at the end of day o.
func Fit(full *History, o Day, opt Options) *Model {
	opt = opt.withDefaults()
	h := full.Cut(o)
	y, _ := o.YM()
	m := &Model{O: o, h: h, opt: opt, unit: map[int64]*unitState{}, poolOf: map[int64]int{}, kappa: map[string]float64{}, yearNow: y}
	m.buildTree()
	m.countAdmissions()
	m.fitLags()
	m.fitSeasons()
	m.fitHazards()
	m.fitRates()
	m.fitYearEffect()
	m.collectCases()
	return m
}

// buildTree indexes the units alive at the origin with their parent and path then, and merge
// predecessors for the start of their history and their members.
func (m *Model) buildTree() {
	h, o := m.h, m.O
	byID := map[int64]Unit{}
	for _, u := range h.Units {
		byID[u.ID] = u
		if u.To == NoDay {
			m.unit[u.ID] = &unitState{u: u, start: u.From, members: -1}
		}
	}
	for _, s := range m.unit {
		m.order = append(m.order, s)
	}
	slices.SortFunc(m.order, func(a, b *unitState) int { return cmp64(a.u.ID, b.u.ID) })
	for _, l := range h.Links {
		if s := m.unit[l.Unit]; s != nil && l.To == NoDay && l.From <= o {
			s.parent, s.path = l.Parent, l.Path
		}
	}
	m.pools = []*pool{{}}
	for _, s := range m.order {
		if len(s.path) == 0 {
			s.path = []int64{s.u.ID}
		}
		root := s.path[0]
		pi, ok := m.poolOf[root]
		if !ok {
			pi = len(m.pools)
			m.poolOf[root] = pi
			m.pools = append(m.pools, &pool{})
		}
		s.pool = pi
		if p := m.unit[s.parent]; p != nil {
			p.children++
		}
	}
	// Merged predecessors: their history and members count for the successor.
	preds := map[int64][]int64{}
	for _, g := range h.Merges {
		preds[g.Succ] = append(preds[g.Succ], g.Pred)
	}
	var closure func(id int64, depth int) []int64
	closure = func(id int64, depth int) []int64 {
		out := []int64{id}
		if depth > 20 {
			return out
		}
		for _, p := range preds[id] {
			out = append(out, closure(p, depth+1)...)
		}
		return out
	}
	y := m.yearNow - 1
	for _, s := range m.order {
		id := s.u.ID
		n, known := 0, false
		for _, p := range closure(id, 0) {
			if u, ok := byID[p]; ok && u.From < s.start {
				s.start = u.From
			}
		}
		// Members: the unit's own year-end count, else its predecessors' (a unit merged since).
		var members func(id int64, depth int) (int, bool)
		members = func(id int64, depth int) (int, bool) {
			if v, ok := h.Members(id, y); ok {
				return v, true
			}
			if depth > 20 {
				return 0, false
			}
			t, any := 0, false
			for _, p := range preds[id] {
				if v, ok := members(p, depth+1); ok {
					t += v
					any = true
				}
			}
			return t, any
		}
		if n, known = members(id, 0); known {
			s.members = n
		}
	}
}

// rep maps a unit of any date to the unit alive at the origin that continues it (through merges).
func (m *Model) repFunc() func(int64) int64 {
	succ := map[int64]int64{}
	for _, g := range m.h.Merges {
		succ[g.Pred] = g.Succ
	}
	return func(id int64) int64 {
		for i := 0; i < 20; i++ {
			n, ok := succ[id]
			if !ok {
				break
			}
			id = n
		}
		return id
	}
}

// credit calls fn once for each unit alive at the origin that counts an admission with these labels.
func credit(labels []int64, rep func(int64) int64, alive map[int64]*unitState, fn func(*unitState)) {
	var seen [8]int64
	n := 0
outer:
	for _, l := range labels {
		r := rep(l)
		s := alive[r]
		if s == nil {
			continue
		}
		for i := 0; i < n; i++ {
			if seen[i] == r {
				continue outer
			}
		}
		if n < len(seen) {
			seen[n] = r
			n++
		}
		fn(s)
	}
}

// countAdmissions gives every unit the decision days of the admissions it counts (those known by the
// origin), over the longest window anything needs: term periods up to five years back.
func (m *Model) countAdmissions() {
	rep := m.repFunc()
	from := m.O - 6*366
	for _, a := range m.h.Admissions {
		if a.Decided < from || a.Decided > m.O {
			continue
		}
		credit(m.labelsAtOrigin(a), rep, m.unit, func(s *unitState) { s.adm = append(s.adm, a.Decided) })
	}
	for _, s := range m.order {
		slices.Sort(s.adm)
	}
}

// labelsAtOrigin: the units an admission counts for are those of its cell's path at the origin when the
// cell is alive then (a unit's history is that of the cells it has now, whichever unit they were under
// before a merger or a reform); otherwise the path on the decision date, through the merges.
func (m *Model) labelsAtOrigin(a Admission) []int64 {
	if s := m.unit[a.Unit]; s != nil {
		return s.path
	}
	return a.Labels
}

// countIn counts the days of a sorted slice in [a, b].
func countIn(ds []Day, a, b Day) int {
	i := sort.Search(len(ds), func(i int) bool { return ds[i] >= a })
	j := sort.Search(len(ds), func(i int) bool { return ds[i] > b })
	return max(0, j-i)
}

// milestones returns, for a case cut at the origin, the day it was listed, reached the decision, held
// the ceremony and closed (NoDay when not yet).
func milestones(c *Case) (listed, decided, admitted, closed Day) {
	listed, decided, admitted, closed = NoDay, NoDay, NoDay, NoDay
	if len(c.Moves) > 0 {
		listed = c.Moves[0].On
	}
	for _, mv := range c.Moves {
		switch {
		case mv.Stage == Decision && decided == NoDay:
			decided = mv.On
		case mv.Stage == Admitted && admitted == NoDay:
			admitted = mv.On
			if decided == NoDay {
				decided = mv.On
			}
		case mv.Stage == Closed && closed == NoDay:
			closed = mv.On
		}
	}
	return
}

// fitLags learns how long admissions take from the listing to the decision (the fresh flow of a
// horizon is the part of a unit's rate whose candidates are not yet listed).
func (m *Model) fitLags() {
	from := m.O - Day(365*m.opt.HazardYears)
	for i := range m.h.Cases {
		l, d, _, _ := milestones(&m.h.Cases[i])
		if d != NoDay && d >= from && l != NoDay {
			m.lags = append(m.lags, int(d-l))
		}
	}
	slices.Sort(m.lags)
}

// lagCDF is P(listing → decision ≤ t days).
func (m *Model) lagCDF(t int) float64 {
	if len(m.lags) == 0 {
		return 1 // nothing known: every future admission is a fresh one
	}
	return float64(sort.SearchInts(m.lags, t+1)) / float64(len(m.lags))
}

// fitSeasons learns each pool's monthly curve from the admissions of the last five years, shrunk toward
// all pools' curve, and all pools' toward flat.
func (m *Model) fitSeasons() {
	from := m.O - 5*365
	counts := make([][12]float64, len(m.pools))
	rep := m.repFunc()
	for _, a := range m.h.Admissions {
		if a.Decided < from || a.Decided > m.O || len(a.Labels) == 0 {
			continue
		}
		s := m.unit[rep(a.Labels[0])]
		_, mo := a.Decided.YM()
		counts[0][mo-1]++
		if s != nil {
			counts[s.pool][mo-1]++
		}
	}
	shrink := func(c [12]float64, prior [12]float64, alpha float64) [12]float64 {
		var out [12]float64
		tot := 0.0
		for _, v := range c {
			tot += v
		}
		for i := range out {
			out[i] = 12 * (c[i] + alpha*prior[i]/12) / (tot + alpha)
		}
		return out
	}
	flat := [12]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	m.pools[0].season = shrink(counts[0], flat, 120)
	for i := 1; i < len(m.pools); i++ {
		m.pools[i].season = shrink(counts[i], m.pools[0].season, 600)
	}
	// The fresh-flow weight of each day ahead: the season's rate per day times the share of that day's
	// admissions whose candidates are not listed yet.
	maxH := 6 * 366
	for _, p := range m.pools {
		p.cum = make([]float64, maxH+1)
		for t := 1; t <= maxH; t++ {
			d := m.O + Day(t)
			y, mo := d.YM()
			dim := float64(Date(y, mo+1, 1) - Date(y, mo, 1))
			p.cum[t] = p.cum[t-1] + p.season[mo-1]/dim*m.lagCDF(t)
		}
	}
}

// seasonWeight is the seasonal month-weight of the days [a, b] in a pool (a full year weighs 12).
func (m *Model) seasonWeight(pi int, a, b Day) float64 {
	w := 0.0
	for d := a; d <= b; {
		y, mo := d.YM()
		next := Date(y, mo+1, 1)
		dim := float64(next - Date(y, mo, 1))
		end := min(b+1, next)
		w += m.pools[pi].season[mo-1] * float64(end-d) / dim
		d = end
	}
	return w
}

// landmark counts: at risk at the start, and by week the outcome, the drop-outs and the censored.
type lmCounts struct {
	n          float64
	ev, lv, cs [weeks]float64
}

// fitHazards estimates, per pool, stage and months already in the stage, the cumulative incidence of the
// stage's outcome (the decision; for a decided case, the ceremony) with drop-out as a competing risk.
// The landmarks are the same day of the year as the origin in each of the last HazardYears years: every
// case open on such a day is followed from there (Aalen–Johansen, censored at the origin), so the
// deadlines ahead — the rush before 3/2, 19/5, 2/9 and the year's end — are those the open cases face
// now. A pool's weekly hazards for a stage and duration are pulled toward all pools', and those toward
// all durations of the stage, by PoolPrior pseudo-cases.
func (m *Model) fitHazards() {
	o := m.O
	ot := o.Time()
	cntD := make([][nStages][durBins]*lmCounts, len(m.pools))
	cntS := make([][nStages]*lmCounts, len(m.pools))
	for pi := range cntD {
		for s := range nStages {
			cntS[pi][s] = &lmCounts{}
			for d := range durBins {
				cntD[pi][s][d] = &lmCounts{}
			}
		}
	}
	cellPool := func(cell int64) int {
		if s := m.unit[cell]; s != nil {
			return s.pool
		}
		return 0
	}
	add := func(c *lmCounts, rel int, kind int) {
		c.n++
		w := rel / 7
		if w >= weeks {
			return
		}
		switch kind {
		case 0:
			c.ev[w]++
		case 1:
			c.lv[w]++
		default:
			c.cs[w]++
		}
	}
	var lms []Day
	for k := 1; k <= m.opt.HazardYears; k++ {
		t := ot.AddDate(-k, 0, 0)
		if t.Day() != ot.Day() { // 29 February
			t = time.Date(ot.Year()-k, ot.Month(), 28, 0, 0, 0, 0, time.UTC)
		}
		lms = append(lms, DayOf(t))
	}
	first := lms[len(lms)-1]
	for i := range m.h.Cases {
		c := &m.h.Cases[i]
		if c.Moves[0].On > lms[0] {
			break // sorted by listing: listed after the last landmark
		}
		if last := c.Moves[len(c.Moves)-1].On; last < first {
			continue
		}
		_, decided, admitted, closed := milestones(c)
		pi := cellPool(c.Cell)
		for _, lm := range lms {
			s, entered, ok := c.at(lm)
			if !ok || s >= Admitted {
				continue
			}
			outcome := decided
			if s == Decision {
				outcome = admitted
			}
			kind, at := 2, o
			switch {
			case outcome != NoDay:
				kind, at = 0, outcome
			case closed != NoDay:
				kind, at = 1, closed
			}
			bin := min(int(lm-entered)/30, durBins-1)
			rel := int(at - lm)
			add(cntD[pi][s][bin], rel, kind)
			add(cntS[pi][s], rel, kind)
			if pi != 0 {
				add(cntD[0][s][bin], rel, kind)
				add(cntS[0][s], rel, kind)
			}
		}
	}
	alpha := m.opt.PoolPrior
	for pi, p := range m.pools {
		for s := range nStages {
			gs := cntS[0][s]
			for d := range durBins {
				g, c := cntD[0][s][d], cntD[pi][s][d]
				cif := make([]float64, weeks+1)
				surv, acc := 1.0, 0.0
				nS, nG, nP := gs.n, g.n, c.n
				for w := 0; w < weeks; w++ {
					var he, hl float64
					if nS > 0 {
						he, hl = gs.ev[w]/nS, gs.lv[w]/nS
					}
					he = (g.ev[w] + alpha*he) / (nG + alpha)
					hl = (g.lv[w] + alpha*hl) / (nG + alpha)
					if pi > 0 {
						he = (c.ev[w] + alpha*he) / (nP + alpha)
						hl = (c.lv[w] + alpha*hl) / (nP + alpha)
					}
					acc += surv * he
					cif[w+1] = acc
					surv *= math.Max(0, 1-he-hl)
					nS -= gs.ev[w] + gs.lv[w] + gs.cs[w]
					nG -= g.ev[w] + g.lv[w] + g.cs[w]
					nP -= c.ev[w] + c.lv[w] + c.cs[w]
				}
				p.cif[s][d] = cif
			}
		}
	}
}

// cifAt is the stage curve at t days (linear between weeks).
func (p *pool) cifAt(s Stage, bin int, t int) float64 {
	c := p.cif[s][bin]
	if t <= 0 {
		return 0
	}
	w := float64(t) / 7
	i := int(w)
	if i >= weeks {
		return math.Min(1, c[weeks])
	}
	f := w - float64(i)
	return math.Min(1, c[i]*(1-f)+c[i+1]*f)
}

// fitRates estimates each unit's flow of admissions per seasonal month over the window before the
// origin, with a gamma prior centred on its parent's rate per member times its members; κ, the prior's
// shape, is estimated per kind of unit by the method of moments.
func (m *Model) fitRates() {
	y, mo := m.O.YM()
	wEnd := Date(y, mo-time.Month(m.opt.RecordLag), 1) - 1 // the end of the month RecordLag months back
	wStart := Date(y, mo-time.Month(m.opt.RecordLag+m.opt.RateMonths), 1)
	type pk struct {
		pool int
		a    Day
	}
	weight := map[pk]float64{}
	for _, s := range m.order {
		a := max(wStart, s.start, m.h.From)
		if a > wEnd {
			continue
		}
		s.rateA = float64(countIn(s.adm, a, wEnd))
		w, ok := weight[pk{s.pool, a}]
		if !ok {
			w = m.seasonWeight(s.pool, a, wEnd)
			weight[pk{s.pool, a}] = w
		}
		s.rateE = w
	}
	// Prior means: parent's admissions per member-month × members; without members, the parent's
	// rate shared among its children; a root: its own rate (weak prior).
	for _, s := range m.order {
		p := m.unit[s.parent]
		switch {
		case p != nil && p.rateE > 0 && p.members > 0 && s.members >= 0:
			s.priorMu = p.rateA / p.rateE / float64(p.members) * float64(max(s.members, 0))
		case p != nil && p.rateE > 0 && p.children > 0:
			s.priorMu = p.rateA / p.rateE / float64(p.children)
		case s.rateE > 0:
			s.priorMu = s.rateA / s.rateE
		}
	}
	num, den := map[string]float64{}, map[string]float64{}
	for _, s := range m.order {
		mu := s.priorMu * s.rateE
		if mu <= 0 || s.parent == 0 {
			continue
		}
		num[s.u.Kind] += (s.rateA-mu)*(s.rateA-mu) - s.rateA
		den[s.u.Kind] += mu * mu
	}
	for k, d := range den {
		inv := num[k] / d
		m.kappa[k] = math.Min(1e4, math.Max(0.3, 1/math.Max(inv, 1e-4)))
	}
}

// fitYearEffect estimates the spread of the shared year effect: how much a whole pool's admissions
// vary from year to year beyond counting noise (log scale), from the complete years before the origin.
func (m *Model) fitYearEffect() {
	if m.opt.YearSigma > 0 {
		m.sigmaY = m.opt.YearSigma
		return
	}
	var v []float64
	roots := make([]int64, 0, len(m.poolOf))
	for root := range m.poolOf {
		roots = append(roots, root)
	}
	slices.Sort(roots)
	for _, root := range roots {
		s := m.unit[root]
		if s == nil {
			continue
		}
		var tot []float64
		for y := m.yearNow - 5; y < m.yearNow; y++ {
			n := countIn(s.adm, Date(y, 1, 1), Date(y, 12, 31))
			if n > 0 && Date(y, 1, 1) >= s.start && Date(y, 1, 1) >= m.h.From {
				tot = append(tot, float64(n))
			}
		}
		for i := 1; i < len(tot); i++ {
			d := math.Log(tot[i] / tot[i-1])
			v = append(v, (d*d-1/tot[i]-1/tot[i-1])/2)
		}
	}
	s2 := 0.0
	for _, x := range v {
		s2 += x
	}
	if len(v) > 0 {
		s2 /= float64(len(v))
	}
	m.sigmaY = math.Min(0.3, math.Max(0.05, math.Sqrt(math.Max(s2, 0))))
}

// collectCases gives every unit the open cases of its subtree at the origin.
func (m *Model) collectCases() {
	rep := m.repFunc()
	path := func(cell int64) []int64 {
		if s := m.unit[cell]; s != nil {
			return s.path
		}
		return []int64{rep(cell)}
	}
	for i := range m.h.Cases {
		c := &m.h.Cases[i]
		st, on, ok := c.at(m.O)
		if !ok || st >= Admitted {
			continue
		}
		credit(path(c.Cell), rep, m.unit, func(s *unitState) { s.cases = append(s.cases, openCase{stage: st, entered: on}) })
	}
}
