package forecast

import "math"

// PMF is a distribution over the counts Lo, Lo+1, …, Lo+len(P)-1; the mass outside is below tailEps.
type PMF struct {
	Lo int
	P  []float64
}

// tailEps is the mass a distribution may drop from its tails (per operation): far below anything a
// 95 % interval or a probability printed to 1 % can show.
const tailEps = 1e-12

// Point is the distribution of a constant.
func Point(n int) PMF { return PMF{Lo: n, P: []float64{1}} }

// trim drops tail cells whose cumulated mass is below tailEps.
func (d PMF) trim() PMF {
	a, s := 0, 0.0
	for a < len(d.P)-1 && s+d.P[a] < tailEps/2 {
		s += d.P[a]
		a++
	}
	b, s := len(d.P), 0.0
	for b > a+1 && s+d.P[b-1] < tailEps/2 {
		s += d.P[b-1]
		b--
	}
	return PMF{Lo: d.Lo + a, P: d.P[a:b]}
}

// PoissonBinomial is the distribution of the number of successes of independent trials with the given
// probabilities, computed exactly by the usual recursion, trimming negligible tails as it goes so the
// cost is n × (a few standard deviations), not n².
func PoissonBinomial(ps []float64) PMF {
	d := PMF{P: make([]float64, 1, 64)}
	d.P[0] = 1
	next := make([]float64, 0, 64)
	for _, p := range ps {
		p = math.Min(math.Max(p, 0), 1)
		if p == 0 {
			continue
		}
		next = next[:0]
		for i := 0; i <= len(d.P); i++ {
			v := 0.0
			if i < len(d.P) {
				v += d.P[i] * (1 - p)
			}
			if i > 0 {
				v += d.P[i-1] * p
			}
			next = append(next, v)
		}
		d.P, next = next, d.P
		if len(d.P) > 32 {
			t := d.trim()
			if t.Lo != d.Lo || len(t.P) != len(d.P) {
				d.P = append(d.P[:0], t.P...)
				d.Lo = t.Lo
			}
		}
	}
	return PMF{Lo: d.Lo, P: append([]float64(nil), d.P...)}
}

// NegBinomial is the gamma-Poisson mixture with shape r and mean m: a Poisson count whose rate is
// Gamma(r, r/m). r = +Inf gives the Poisson distribution.
func NegBinomial(r, m float64) PMF {
	if !(m > 0) {
		return Point(0)
	}
	var logp func(k int) float64
	if math.IsInf(r, 1) || r > 1e7 {
		logp = func(k int) float64 {
			lg, _ := math.Lgamma(float64(k) + 1)
			return float64(k)*math.Log(m) - m - lg
		}
	} else {
		q := r / (r + m) // probability of "failure" per step
		lgr, _ := math.Lgamma(r)
		logp = func(k int) float64 {
			a, _ := math.Lgamma(float64(k) + r)
			b, _ := math.Lgamma(float64(k) + 1)
			return a - lgr - b + r*math.Log(q) + float64(k)*math.Log1p(-q)
		}
	}
	// The mode, then outwards until the tails are negligible.
	mode := int(m)
	if r > 1 && !math.IsInf(r, 1) {
		mode = int((r - 1) * m / r)
	}
	if mode < 0 {
		mode = 0
	}
	peak := logp(mode)
	lo := mode
	for lo > 0 && logp(lo-1)-peak > -40 {
		lo--
	}
	hi := mode
	for logp(hi+1)-peak > -40 {
		hi++
	}
	p := make([]float64, hi-lo+1)
	s := 0.0
	for k := lo; k <= hi; k++ {
		p[k-lo] = math.Exp(logp(k) - peak)
		s += p[k-lo]
	}
	for i := range p {
		p[i] /= s
	}
	return PMF{Lo: lo, P: p}
}

// Convolve is the distribution of the sum of two independent counts.
func Convolve(a, b PMF) PMF {
	if len(a.P) < len(b.P) {
		a, b = b, a
	}
	out := make([]float64, len(a.P)+len(b.P)-1)
	for j, q := range b.P {
		if q == 0 {
			continue
		}
		for i, p := range a.P {
			out[i+j] += p * q
		}
	}
	return PMF{Lo: a.Lo + b.Lo, P: out}.trim()
}

// Mix is the mixture of distributions with the given weights (summing to 1).
func Mix(ds []PMF, w []float64) PMF {
	lo, hi := math.MaxInt, math.MinInt
	for _, d := range ds {
		lo = min(lo, d.Lo)
		hi = max(hi, d.Lo+len(d.P)-1)
	}
	out := make([]float64, hi-lo+1)
	for k, d := range ds {
		for i, p := range d.P {
			out[d.Lo-lo+i] += w[k] * p
		}
	}
	return PMF{Lo: lo, P: out}.trim()
}

// Shift adds a constant.
func (d PMF) Shift(n int) PMF { return PMF{Lo: d.Lo + n, P: d.P} }

// Mean of the distribution.
func (d PMF) Mean() float64 {
	s, m := 0.0, 0.0
	for i, p := range d.P {
		s += p
		m += p * float64(d.Lo+i)
	}
	if s == 0 {
		return float64(d.Lo)
	}
	return m / s
}

// Quantile is the smallest count whose cumulative probability reaches q.
func (d PMF) Quantile(q float64) int {
	s := 0.0
	for i, p := range d.P {
		s += p
		if s >= q-1e-12 {
			return d.Lo + i
		}
	}
	return d.Lo + len(d.P) - 1
}

// MidInterval is the central interval of mass about 1−2·tail for a count: the counts whose
// mid-distribution value F(x−1) + p(x)/2 lies in [tail, 1−tail]. For a discrete distribution the usual
// quantiles give an interval holding more than the nominal mass (a cell's [q10, q90] often holds 90 %
// or more); this one holds the nominal mass on average, which is what a coverage check measures.
func (d PMF) MidInterval(tail float64) (int, int) {
	lo, hi := -1, -1
	s := 0.0
	for i, p := range d.P {
		mid := s + p/2
		s += p
		if mid >= tail-1e-12 && mid <= 1-tail+1e-12 {
			if lo < 0 {
				lo = d.Lo + i
			}
			hi = d.Lo + i
		}
	}
	if lo < 0 { // all the mass on one count, or tails too heavy on both sides: the median
		m := d.Quantile(0.5)
		return m, m
	}
	return lo, hi
}

// AtLeast is P(X ≥ n).
func (d PMF) AtLeast(n int) float64 {
	if n <= d.Lo {
		return 1 // already there (and exactly so, whatever the trimmed tails weighed)
	}
	s := 0.0
	for i, p := range d.P {
		if d.Lo+i >= n {
			s += p
		}
	}
	return math.Min(1, math.Max(0, s))
}

// Shortfall is E[max(0, n − X)].
func (d PMF) Shortfall(n int) float64 {
	if n <= d.Lo {
		return 0
	}
	s := 0.0
	for i, p := range d.P {
		if k := d.Lo + i; k < n {
			s += p * float64(n-k)
		}
	}
	return s
}
