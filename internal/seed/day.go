package seed

import (
	"math"
	"math/rand/v2"
	"ptdv/internal/calendar"
	"ptdv/internal/vn"
	"time"
)

// day is a civil date as the number of days since 2000-01-01, PostgreSQL's date epoch: the binary COPY
// format writes it as is, and date arithmetic is integer arithmetic.
type day int32

// noDay stands for a NULL date.
const noDay day = math.MinInt32

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

const epoch2000 = 10957 // days from 1970-01-01 to 2000-01-01

func mkday(y, m, d int) day { return day(daysFromCivil(y, m, d) - epoch2000) }

// ymd is the civil date of d.
func (d day) ymd() (y, m, dd int) {
	z := int(d) + epoch2000 + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

func (d day) year() int { y, _, _ := d.ymd(); return y }

func (d day) time() time.Time {
	return time.Unix(int64(int(d)+epoch2000)*86400, 0).UTC()
}

func dayOf(t time.Time) day { return mkday(t.Year(), int(t.Month()), t.Day()) }

// weekday: 2000-01-01 was a Saturday.
func (d day) weekday() time.Weekday { return time.Weekday(((int(d)+6)%7 + 7) % 7) }

func (d day) String() string { return d.time().Format(time.DateOnly) }

// vn formats a date as Vietnamese documents write it.
func (d day) vn() string { return vn.Date(d.time()) }

// daysIn is the number of days of a month.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// addMonths is calendar.AddMonths on the generator's days (31/01 + 1 month = 28 or 29/02), so the
// generated histories count months as the pipeline checks them.
func addMonths(d day, n int) day { return dayOf(calendar.AddMonths(d.time(), n)) }

// monthsBetween is calendar.MonthsBetween on the generator's days: the age and sponsor rules' count.
func monthsBetween(a, b day) int { return calendar.MonthsBetween(a.time(), b.time()) }

func maxDay(a, b day) day {
	if a > b {
		return a
	}
	return b
}

func minDay(a, b day) day {
	if a < b {
		return a
	}
	return b
}

// rng wraps a PCG generator with the draws the generator needs. Every cell and the tree have their
// own, seeded from Options.Seed and a key, so the output does not depend on the order of work.
type rng struct{ *rand.Rand }

func newRNG(seed uint64, key ...uint64) rng {
	h := seed ^ 0x9e3779b97f4a7c15
	for _, k := range key {
		h = mix64(h ^ (k + 0x632be59bd9b4e019))
	}
	return rng{rand.New(rand.NewPCG(h, mix64(h+1)))}
}

// mix64 is SplitMix64's finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r rng) chance(p float64) bool { return r.Float64() < p }

// between draws an integer in [lo, hi].
func (r rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// pick returns a random element.
func pick[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }

// gamma draws Gamma(shape, 1) (see Gamma).
func (r rng) gamma(shape float64) float64 { return Gamma(r.Rand, shape) }

// Gamma draws from a Gamma(shape, 1) distribution (Marsaglia and Tsang).
func Gamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return Gamma(r, shape+1) * math.Pow(r.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// poisson draws a Poisson count (see Poisson).
func (r rng) poisson(mean float64) int { return Poisson(r.Rand, mean) }

// Poisson draws a Poisson count (inversion for small means, a normal approximation for large ones).
func Poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 60 {
		n := int(math.Round(mean + math.Sqrt(mean)*r.NormFloat64()))
		return max(n, 0)
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// lognormal draws a duration in days with the given median and spread (sigma of the log).
func (r rng) lognormal(median, sigma float64) int {
	return int(math.Round(median * math.Exp(sigma*r.NormFloat64())))
}

// weighted picks an index by weight.
type weighted[T any] struct {
	items []T
	cum   []float64
}

func newWeighted[T any](items []T, weights []float64) *weighted[T] {
	w := &weighted[T]{items: items, cum: make([]float64, len(weights))}
	s := 0.0
	for i, x := range weights {
		s += x
		w.cum[i] = s
	}
	return w
}

func (w *weighted[T]) draw(r rng) T {
	x := r.Float64() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.items[lo]
}
