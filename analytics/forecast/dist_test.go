package forecast

import (
	"math"
	"testing"
)

// TestPoissonBinomial compares the recursion (with its tail trimming) to brute-force enumeration.
func TestPoissonBinomial(t *testing.T) {
	ps := []float64{0.1, 0.5, 0.9, 0.33, 0.7, 0, 1, 0.25}
	want := make([]float64, len(ps)+1)
	for mask := 0; mask < 1<<len(ps); mask++ {
		p, k := 1.0, 0
		for i, q := range ps {
			if mask&(1<<i) != 0 {
				p *= q
				k++
			} else {
				p *= 1 - q
			}
		}
		want[k] += p
	}
	d := PoissonBinomial(ps)
	for k, w := range want {
		got := 0.0
		if i := k - d.Lo; i >= 0 && i < len(d.P) {
			got = d.P[i]
		}
		if math.Abs(got-w) > 1e-12 {
			t.Errorf("P(%d) = %g, want %g", k, got, w)
		}
	}
	// A long one keeps its mean and variance although its tails are trimmed.
	var long []float64
	mean, vr := 0.0, 0.0
	for i := range 5000 {
		p := float64(i%97) / 100
		long = append(long, p)
		mean += p
		vr += p * (1 - p)
	}
	d = PoissonBinomial(long)
	if math.Abs(d.Mean()-mean) > 1e-6 || len(d.P) > 800 {
		t.Errorf("long: mean %g want %g, %d cells", d.Mean(), mean, len(d.P))
	}
	v := 0.0
	for i, p := range d.P {
		x := float64(d.Lo+i) - mean
		v += p * x * x
	}
	if math.Abs(v-vr) > 1e-6*vr {
		t.Errorf("long: variance %g want %g", v, vr)
	}
}

// TestNegBinomial checks the mean and variance m + m²/r, and the Poisson limit.
func TestNegBinomial(t *testing.T) {
	for _, c := range []struct{ r, m float64 }{{0.5, 3}, {2, 0.2}, {4, 40}, {math.Inf(1), 7}, {1e9, 7}} {
		d := NegBinomial(c.r, c.m)
		s, mean, v := 0.0, d.Mean(), 0.0
		for i, p := range d.P {
			s += p
			x := float64(d.Lo+i) - mean
			v += p * x * x
		}
		want := c.m
		if !math.IsInf(c.r, 1) {
			want += c.m * c.m / c.r
		}
		if math.Abs(s-1) > 1e-9 || math.Abs(mean-c.m) > 1e-6*c.m || math.Abs(v-want) > 1e-4*want {
			t.Errorf("NB(%g, %g): mass %g mean %g variance %g (want %g)", c.r, c.m, s, mean, v, want)
		}
	}
	if d := NegBinomial(2, 0); d.Mean() != 0 || len(d.P) != 1 {
		t.Errorf("NB with mean 0: %+v", d)
	}
}

// TestIntervals: the mid-distribution interval of a Poisson(20) holds about 80 %; a point mass is its
// own interval; P(X ≥ n) and the shortfall.
func TestIntervals(t *testing.T) {
	d := NegBinomial(math.Inf(1), 20)
	lo, hi := d.MidInterval(0.1)
	mass := 0.0
	for k := lo; k <= hi; k++ {
		mass += d.P[k-d.Lo]
	}
	if mass < 0.75 || mass > 0.85 || lo > 20 || hi < 20 {
		t.Errorf("Poisson(20) 80 %%: [%d, %d] holds %.3f", lo, hi, mass)
	}
	if lo, hi := Point(4).MidInterval(0.025); lo != 4 || hi != 4 {
		t.Errorf("point: [%d, %d]", lo, hi)
	}
	c := Convolve(Point(3), PMF{Lo: 0, P: []float64{0.5, 0.5}})
	if c.AtLeast(4) != 0.5 || c.AtLeast(3) != 1 || c.AtLeast(5) != 0 || c.Shortfall(5) != 1.5 || c.Shortfall(3) != 0 {
		t.Errorf("3 + Bernoulli(1/2): %+v", c)
	}
	m := Mix([]PMF{Point(0), Point(10)}, []float64{0.25, 0.75})
	if m.Mean() != 7.5 || m.Quantile(0.2) != 0 || m.Quantile(0.3) != 10 {
		t.Errorf("mixture: %+v", m)
	}
}
