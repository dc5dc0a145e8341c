package forecast

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Period is a target period, both ends inclusive.
type Period struct {
	Kind       string // term, year, quarter
	Start, End Day
}

// Result is the forecast of one unit's admissions by the end of a period, made at the model's origin.
type Result struct {
	Unit     int64
	TargetID int64 // 0: a period without a target
	Period   Period
	AsOf     Day

	Admitted int     // decided in the period and known (ceremony held) by the origin
	Pending  float64 // expected from decided cases waiting for their ceremony
	Pipeline float64 // expected from the cases in the stages before the decision
	Fresh    float64 // expected from candidates not yet listed
	Expected float64
	Lo80     int
	Hi80     int
	Lo95     int
	Hi95     int

	// Target is the number to reach (a rate target's: rate × members on 31/12 of the year before,
	// rounded up); nil without a target or when its base is unknown. PMeet and Shortfall go with it.
	Target    *int
	PMeet     *float64
	Shortfall *float64

	Explanation string

	dist  PMF
	parts explainParts
}

// Dist is the forecast's distribution of the period's total.
func (r Result) Dist() PMF { return r.dist }

type explainParts struct {
	stage     Stage // the stage with most people waiting
	stageN    int
	stageP    float64 // their mean probability of admission in the period
	freshRate float64 // fresh admissions per month ahead
	months    float64
	cases     int
}

// gauss-Hermite nodes and weights for a standard normal (5 points).
var ghZ = [...]float64{-2.856970013872806, -1.355626179974266, 0, 1.355626179974266, 2.856970013872806}
var ghW = [...]float64{0.011257411327721, 0.222075922005613, 0.533333333333333, 0.222075922005613, 0.011257411327721}

// ResolveTarget is the number a target asks for: a count, or ceil(rate × members / 100) with the
// members of the unit's subtree on 31/12 of the year before the period starts (nil when unknown).
func (m *Model) ResolveTarget(t Target) *int {
	if t.Kind == "count" {
		v := t.Count
		return &v
	}
	y, _ := t.Start.YM()
	s := m.unit[t.Unit]
	n, ok := m.h.Members(t.Unit, y-1)
	if !ok && s != nil && s.members >= 0 && y-1 == m.yearNow-1 {
		n, ok = s.members, true
	}
	if !ok {
		return nil
	}
	v := int(math.Ceil(t.Rate*float64(n)/100 - 1e-9))
	return &v
}

// Forecast forecasts one target. A unit not alive at the origin gets a forecast of what is already
// known (no pipeline, no flow).
func (m *Model) Forecast(t Target) Result {
	r := m.ForecastPeriod(t.Unit, Period{Kind: t.PeriodKind, Start: t.Start, End: t.End})
	r.TargetID = t.ID
	if v := m.ResolveTarget(t); v != nil {
		r.setTarget(*v)
	}
	r.Explanation = m.explain(r)
	return r
}

func (r *Result) setTarget(v int) {
	p := r.dist.AtLeast(v)
	sf := r.dist.Shortfall(v)
	r.Target, r.PMeet, r.Shortfall = &v, &p, &sf
}

// ForecastPeriod forecasts a unit's admissions decided in the period, without a target.
func (m *Model) ForecastPeriod(unit int64, p Period) Result {
	o := m.O
	r := Result{Unit: unit, Period: p, AsOf: o}
	s := m.unit[unit]
	if s == nil {
		r.dist = Point(0)
		r.finish()
		return r
	}
	r.Admitted = countIn(s.adm, p.Start, min(p.End, o))
	pl := m.pools[s.pool]
	from := max(o, p.Start-1) // the fresh and pipeline outcomes count in (from, End]
	var ps []float64
	var stageN [nStages]int
	var stageP [nStages]float64
	pCer := pl.cifAt(Decision, 0, horizonD)
	for _, c := range s.cases {
		bin := min(int(o-c.entered)/30, durBins-1)
		var q float64
		if c.stage == Decision {
			if c.entered < p.Start || c.entered > p.End {
				continue
			}
			q = pl.cifAt(Decision, bin, horizonD)
			r.Pending += q
		} else {
			if p.End <= o {
				continue
			}
			q = (pl.cifAt(c.stage, bin, int(p.End-o)) - pl.cifAt(c.stage, bin, int(from-o))) * pCer
			r.Pipeline += q
		}
		if q <= 0 {
			continue
		}
		ps = append(ps, q)
		stageN[c.stage]++
		stageP[c.stage] += q
	}
	// Fresh candidates: the unit's posterior flow (gamma-Poisson) times the seasonal, lag-weighted days
	// ahead; the shared year effect scales it.
	var freshW float64
	if p.End > o {
		a, b := int(from-o), int(p.End-o)
		if b >= len(pl.cum) {
			b = len(pl.cum) - 1
		}
		if a < b {
			freshW = pl.cum[b] - pl.cum[a]
		}
	}
	kappa := m.kappa[s.u.Kind]
	if kappa == 0 {
		kappa = 1
	}
	shape, rate := kappa+s.rateA, s.rateE
	if s.priorMu > 0 {
		rate += kappa / s.priorMu
	} else if s.rateA == 0 {
		shape = 0 // nothing known and nothing to lean on: no flow
	}
	fresh := 0.0
	if rate > 0 && shape > 0 {
		fresh = freshW * shape / rate
	}
	r.Fresh = fresh
	// The shared year effect e scales the fresh flow and the pace of the pipeline (a case's odds of
	// making it in time, p → 1 − (1 − p)^e): one draw for the whole unit, so that a commune's or a
	// province's interval is not as narrow as independent cells would make it.
	if len(ps) == 0 && fresh == 0 {
		r.dist = Point(r.Admitted)
	} else {
		ds := make([]PMF, len(ghZ))
		qs := make([]float64, len(ps))
		for k, z := range ghZ {
			e := math.Exp(m.sigmaY*z - m.sigmaY*m.sigmaY/2)
			for i, p := range ps {
				qs[i] = 1 - math.Pow(1-p, e)
			}
			ds[k] = PoissonBinomial(qs)
			if fresh > 0 {
				ds[k] = Convolve(ds[k], NegBinomial(shape, fresh*e))
			}
		}
		r.dist = Mix(ds, ghW[:]).Shift(r.Admitted)
	}
	best := Stage(-1)
	for st := range nStages {
		// The stage that brings the most expected admissions is the one the sentence names.
		if stageN[st] > 0 && (best < 0 || stageP[st] > stageP[best]) {
			best = Stage(st)
		}
	}
	r.parts = explainParts{stage: best, cases: len(ps)}
	if best >= 0 {
		r.parts.stageN, r.parts.stageP = stageN[best], stageP[best]/float64(stageN[best])
	}
	if months := float64(p.End-from) / 30.44; months > 0 {
		r.parts.months = months
		r.parts.freshRate = fresh / months
	}
	r.finish()
	return r
}

func (r *Result) finish() {
	if len(r.dist.P) == 0 {
		r.dist = Point(r.Admitted)
	}
	r.Expected = r.dist.Mean()
	r.Lo80, r.Hi80 = r.dist.MidInterval(0.10)
	r.Lo95, r.Hi95 = r.dist.MidInterval(0.025)
}

// Units lists the units alive at the origin.
func (m *Model) Units() []Unit {
	out := make([]Unit, 0, len(m.unit))
	for _, s := range m.order {
		out = append(out, s.u)
	}
	return out
}

// OpenTargets lists the targets whose period contains the origin, for units alive at the origin.
func (m *Model) OpenTargets() []Target {
	var out []Target
	for _, t := range m.h.Targets {
		if t.Start <= m.O && m.O <= t.End && m.unit[t.Unit] != nil {
			out = append(out, t)
		}
	}
	return out
}

// ForecastAll forecasts every open target, on every core (a fitted model is only read).
func (m *Model) ForecastAll() []Result {
	ts := m.OpenTargets()
	out := make([]Result, len(ts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ts) {
					return
				}
				out[i] = m.Forecast(ts[i])
			}
		}()
	}
	wg.Wait()
	return out
}
